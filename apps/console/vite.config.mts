import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console: a static build served by the API at /console (apps/api/src/console). Browser code
 * only; its data comes from the /v1 API with the person's session cookie.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    // scripts/build.mjs gives the output directory: a build of its own, never the one being served.
    emptyOutDir: true,
    // No source maps served: the browser code is not a secret, but nothing needs them in production.
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
