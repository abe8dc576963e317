import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUES } from './error-catalogues';
import { renderErrorsDoc } from './errors-doc';

const ROOT = join(__dirname, '..', '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) ? [] : sources(path);
    return entry.name.endsWith('.ts') && !/\.(spec|e2e-spec|integration-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('docs/errors.md', () => {
  it('is the one npm run docs:errors makes from the catalogues', () => {
    expect(readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorsDoc());
  });

  it('is made of every catalogue in the sources: a new one left out of ERROR_CATALOGUES fails here', () => {
    const declared: string[] = [];
    for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
      for (const [, name] of readFileSync(file, 'utf8').matchAll(/export const (\w+) = defineErrors\(/g)) {
        declared.push(name!);
      }
    }
    expect(declared.sort()).toEqual(ERROR_CATALOGUES.map((c) => c.name).sort());
  });

  it('lists each code once: a code two catalogues share has one status, title and meaning', () => {
    const byCode = new Map<string, object>();
    const disagreeing: string[] = [];
    for (const catalogue of ERROR_CATALOGUES) {
      for (const { code, status, title, when } of Object.values(catalogue.errors)) {
        const entry = { status, title, when };
        const first = byCode.get(code);
        if (first && JSON.stringify(first) !== JSON.stringify(entry)) disagreeing.push(code);
        byCode.set(code, entry);
      }
    }
    expect(disagreeing).toEqual([]);
    const doc = renderErrorsDoc();
    for (const code of byCode.keys()) expect([code, doc.split(`<a id="${code}"></a>`).length - 1]).toEqual([code, 1]);
  });
});
