import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The row types the stores read with (libs/database/src/schema.generated.ts, docs/decisions/0014)
 * are those of the schema the migrations make: generated again from the database npm test just
 * migrated, they are the committed file, byte for byte.
 */
const ROOT = join(__dirname, '..');

describe('the generated row types', () => {
  it('match the migrated schema (else: npm run db:types, and commit the file)', () => {
    // As the owner, as npm run db:types reads it: the application's role may not see every table.
    const url = process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL;
    expect(url).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'ostracon-db-types-test-'));
    try {
      const out = join(dir, 'schema.generated.ts');
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'db-types.mjs'), url!, out], { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
      const generated = readFileSync(out, 'utf8');
      expect(generated).toContain('export interface DirectivesRow {');
      expect(generated).toBe(readFileSync(join(ROOT, 'libs', 'database', 'src', 'schema.generated.ts'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
