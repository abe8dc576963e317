import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** `libphonenumber-js/max` → `libphonenumber-js`, `@noble/curves/ed25519.js` → `@noble/curves`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** What `npm pack` would publish (the build ran before the tests: npm test builds). */
function packed(): { files: string[]; manifest: Record<string, any> } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return { files: pack!.files.map((f) => f.path), manifest: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) };
}

describe('@ostracon/platform-sdk as npm pack builds it', () => {
  it('ships the compiled code with its types, the README and the example; no tests, no sources', () => {
    const { files } = packed();
    for (const file of [
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/signals/index.js',
      'dist/transparency/index.js',
      'dist/transparency/index.d.ts',
      'examples/platform/server.js',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => f.includes('.spec.') || f.startsWith('src/'))).toEqual([]);
  });

  it('depends on no framework and on nothing of the service: plain Node 20 runs it', () => {
    const { files, manifest } = packed();
    expect(Object.keys(manifest.dependencies).sort()).toEqual(
      ['@noble/curves', '@noble/hashes', 'canonicalize', 'libphonenumber-js', 'libsodium-wrappers-sumo', 'standardwebhooks'].sort(),
    );
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(join(root, file), 'utf8');
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
      for (const name of required) {
        expect([file, name.startsWith('.') || name.startsWith('node:') || packageOf(name) in manifest.dependencies]).toEqual([file, true]);
      }
    }
    // Loaded by plain Node, outside Jest, with no TypeScript: the public surface is there.
    const surface = execFileSync(
      process.execPath,
      ['-e', `const sdk = require(${JSON.stringify(root)}); console.log(Object.keys(sdk).sort().join(','))`],
      { encoding: 'utf8' },
    );
    for (const name of [
      'PrivateScreener',
      'OstraconClient',
      'verifyWebhook',
      'prepareSignal',
      'prehash',
      'normalizeEmail',
      'voprf',
      'transparency',
    ]) {
      expect(surface.trim().split(',')).toContain(name);
    }
  });

  it('exports the API’s generated types, paths and components, as types only', () => {
    const { files } = packed();
    expect(files).toContain('dist/api-types.d.ts');
    expect(readFileSync(join(root, 'dist', 'index.d.ts'), 'utf8')).toContain("export type { paths, components } from './api-types';");
    const declarations = readFileSync(join(root, 'dist', 'api-types.d.ts'), 'utf8');
    expect(declarations).toMatch(/^export interface paths \{$/m);
    expect(declarations).toMatch(/^export interface components \{$/m);
    // Nothing of them at run time: the compiled module exports no value.
    const exported = execFileSync(
      process.execPath,
      ['-e', `console.log(Object.keys(require(${JSON.stringify(join(root, 'dist', 'api-types.js'))})).join(','))`],
      { encoding: 'utf8' },
    );
    expect(exported.trim()).toBe('');
  });
});
