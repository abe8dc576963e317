import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { messages } from '../../../console/src/i18n';
import { ERROR_CATALOGUES } from './error-catalogues';
import { buildOpenApiDocument } from './openapi';

const CONSOLE = join(__dirname, '..', '..', '..', 'console', 'src');

/** Every `client.VERB('/path'` call of the console's sources: the routes it can meet problems on. */
function consoleRoutes(dir = CONSOLE): { method: string; path: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) return consoleRoutes(file);
    if (!/\.tsx?$/.test(entry.name)) return [];
    return [...readFileSync(file, 'utf8').matchAll(/client\.(GET|POST|PATCH|PUT|DELETE)\(\s*'([^']+)'/g)].map(([, method, path]) => ({
      method: method!.toLowerCase(),
      path: path!,
    }));
  });
}

/**
 * What the console shows of a problem is the French text of its code (apps/console/src/i18n.ts
 * `problemCodes`), never the API's English `detail`: every code a route the console calls may
 * answer, as the OpenAPI document lists them from the catalogues, has its text.
 */
describe('the console’s French text for each problem', () => {
  const catalogued = new Set(ERROR_CATALOGUES.flatMap((c) => Object.values(c.errors).map((e) => e.code)));
  const paths = buildOpenApiDocument().paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
  const routes = consoleRoutes();

  it('finds the routes the console calls in the API’s document', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !paths[r.path]?.[r.method])).toEqual([]);
  });

  it('has a French text for every code those routes may answer', () => {
    const answered = new Set<string>();
    for (const { method, path } of routes) {
      for (const [status, response] of Object.entries(paths[path]![method]!.responses)) {
        if (Number(status) < 400) continue;
        for (const [code] of response.description.matchAll(/\b[A-Z_]+(\.[A-Z_]+)?\b/g)) if (catalogued.has(code)) answered.add(code);
      }
    }
    expect(answered.size).toBeGreaterThan(15);
    expect([...answered].filter((code) => !messages.problemCodes[code])).toEqual([]);
  });

  it('says nothing of a code no catalogue has (a stale text)', () => {
    expect(Object.keys(messages.problemCodes).filter((code) => !catalogued.has(code))).toEqual([]);
  });
});
