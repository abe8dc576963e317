import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * scripts/mutation/thresholds.mjs decides whether `npm run test:mutation` passes (issue 17). It
 * runs here on small reports in Stryker's JSON format, built over the real source of
 * libs/audit/src/checkpoint.ts, which holds one listed equivalent mutant ('utf8' → "").
 */
const FILE = 'libs/audit/src/checkpoint.ts';
const SOURCE = readFileSync(join(__dirname, '..', FILE), 'utf8');
const LINES = SOURCE.split('\n');

type Status = 'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'RuntimeError';
interface Mutant {
  id: string;
  mutatorName: string;
  replacement: string;
  status: Status;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** A mutant replacing `code` on the first line holding it (columns from 1, end exclusive). */
function mutant(code: string, mutatorName: string, replacement: string, status: Status, id = `${mutatorName}-${status}`): Mutant {
  const index = LINES.findIndex((l) => l.includes(code));
  if (index < 0) throw new Error(`${code} is not in ${FILE}`);
  const column = LINES[index]!.indexOf(code) + 1;
  return {
    id,
    mutatorName,
    replacement,
    status,
    location: { start: { line: index + 1, column }, end: { line: index + 1, column: column + code.length } },
  };
}

const EQUIVALENT = (status: Status = 'Survived') => mutant("'utf8'", 'StringLiteral', '""', status, `utf8-${status}`);
/** `n` unlisted mutants with one status. */
const many = (n: number, status: Status) =>
  Array.from({ length: n }, (_, i) => mutant('return', 'BlockStatement', '{}', status, `${status}${i}`));
const killed = (n: number) => many(n, 'Killed');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'thresholds-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the check on a report of `mutants` in FILE: its exit code and what it printed. */
function check(mutants: Mutant[], files: Record<string, { source: string; mutants: Mutant[] }> = {}): { code: number; out: string } {
  const path = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      schemaVersion: '2',
      thresholds: {},
      files: { [FILE]: { language: 'typescript', source: SOURCE, mutants }, ...files },
    }),
  );
  try {
    const out = execFileSync(process.execPath, ['scripts/mutation/thresholds.mjs', path], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout + err.stderr };
  }
}

describe('the mutation thresholds check (scripts/mutation/thresholds.mjs)', () => {
  it('passes a file at its threshold, leaving the listed equivalent and errored mutants out of the score', () => {
    // 90 % is checkpoint.ts's threshold: 9 detected of 10, plus one equivalent and one errored.
    const r = check([...killed(8), ...many(1, 'Timeout'), ...many(1, 'Survived'), EQUIVALENT(), ...many(1, 'RuntimeError')]);
    expect(r).toEqual({
      code: 0,
      out: `ok    90.0 % (≥ 90) ${FILE}: 9 detected, 1 survived, 0 not covered, 1 equivalent (listed), 1 errored (not scored)\n`,
    });
  });

  it('fails a file below its threshold, a mutant no test reaches counting against it', () => {
    const r = check([...killed(8), ...many(1, 'Survived'), ...many(1, 'NoCoverage'), EQUIVALENT()]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`FAIL  80.0 % (≥ 90) ${FILE}: 8 detected, 1 survived, 1 not covered, 1 equivalent (listed)\n`);
  });

  it('fails when a mutant listed as equivalent is killed: the list must stay true', () => {
    const r = check([...killed(10), EQUIVALENT('Killed')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL listed as equivalent but Killed: ${FILE}:21 StringLiteral → ""`);
  });

  it('fails when a listed entry matches no mutant of a file the report covers (the code it named is gone)', () => {
    const r = check(killed(10));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL listed as equivalent, matching 0 mutants, not 1: ${FILE}`);
  });

  it('fails when a listed entry matches more mutants than it names', () => {
    const r = check([...killed(10), EQUIVALENT(), { ...EQUIVALENT(), id: 'twin' }]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL listed as equivalent, matching 2 mutants, not 1: ${FILE}`);
  });

  it('does not count a mutant of the same mutator and replacement elsewhere on the line as the listed one', () => {
    // Same line, same mutator and replacement, but another piece of code: not the entry's `code`.
    const other = mutant('c.size', 'StringLiteral', '""', 'Survived', 'other');
    expect(other.location.start.line).toBe(EQUIVALENT().location.start.line);
    const r = check([...killed(10), EQUIVALENT(), other]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('10 detected, 1 survived, 0 not covered, 1 equivalent (listed)');
  });

  it('refuses a report whose paths are not from the repository root', () => {
    const r = check(killed(1), { '/abs/libs/x.ts': { source: '', mutants: [] } });
    expect(r.code).toBe(1);
    expect(r.out).toContain("/abs/libs/x.ts: expected a path from the repository's root");
  });
});
