import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The server's files the console imports (the legal terms, the proofs' checks, the API's types):
 * the aliases of tsconfig.json's `paths`, so that one list says which they are.
 */
const { compilerOptions } = JSON.parse(readFileSync(here('tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
  compilerOptions: { paths: Record<string, [string]> };
};
const alias = Object.entries(compilerOptions.paths).map(([find, [path]]) => ({ find, replacement: here(path) }));

/**
 * The console: a static build served by the API at /console (apps/api/src/console). Browser code
 * only; its data comes from the /v1 API with the person's session cookie.
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  resolve: { alias },
  build: {
    // scripts/build.mjs gives the output directory: a build of its own, never the one being served.
    emptyOutDir: true,
    // No source maps served: the browser code is not a secret, but nothing needs them in production.
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    // The favicons stay files (index.html): a browser asks for them by their address.
    assetsInlineLimit: (file) => (file.includes('/favicon/') ? false : undefined),
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
