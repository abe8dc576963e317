// Per-file mutation score thresholds (issue 17): ≥ 90 % for the code that verifies or does
// cryptography, ≥ 85 % elsewhere. Reads Stryker's JSON report (mutation-testing-report-schema),
// prints each file's score and exits 1 if one is below its threshold. Score: killed and timed-out
// mutants over all valid ones (no coverage counts against; compile and runtime errors do not
// count). A surviving mutant listed in the config's `equivalentMutants` does not count either; a
// listed one that no longer survives (killed, or gone with the code), or an entry that matches
// more or fewer mutants than it says (one unless its `count` says), fails the run, so the list
// stays true and no entry silences more than it names.
import { readFileSync } from 'node:fs';
import { equivalentMutants } from './stryker.config.mjs';

const STRICT = [
  'libs/platform-sdk/src/transparency/',
  'libs/audit/src/checkpoint.ts',
  'libs/audit/src/audit-verifier.ts',
  'libs/platform-sdk/src/private/voprf.ts',
  'libs/identity/src/hash.ts',
  'libs/platform-sdk/src/signals/prehash.ts',
  'libs/common/src/key-ring-cipher.ts',
];
const thresholdOf = (file) => (STRICT.some((p) => file.startsWith(p)) ? 90 : 85);

// The report: Stryker's JSON report by default, or the file named (node thresholds.mjs <report.json>).
const reportFile = process.argv[2] ?? new URL('../../reports/mutation/mutation.json', import.meta.url);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
// Thresholds and entries name files from the repository's root, as Stryker reports them from it.
for (const file of Object.keys(report.files)) {
  if (!file.startsWith('libs/') && !file.startsWith('apps/')) throw new Error(`${file}: expected a path from the repository's root`);
}

/** The code a mutant replaces (report locations: lines and columns from 1, end exclusive). */
function originalOf(lines, { start, end }) {
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...middle, lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

/**
 * The equivalent-mutant entry a mutant answers to: same file, mutator and replacement, on a line
 * holding `line`, and replacing exactly `code` (followed by `followedBy`) when the entry says.
 */
function listedAs(file, lines, mutant) {
  const line = lines[mutant.location.start.line - 1] ?? '';
  return equivalentMutants.find(
    (e) =>
      e.file === file &&
      e.mutator === mutant.mutatorName &&
      e.replacement === mutant.replacement &&
      line.includes(e.line) &&
      (e.code === undefined || e.code === originalOf(lines, mutant.location)) &&
      (e.followedBy === undefined || lines[mutant.location.end.line - 1].slice(mutant.location.end.column - 1).startsWith(e.followedBy)),
  );
}

let failed = false;
const rows = [];
/** How many mutants each entry matched: exactly `count` (1 unless the entry says) must. */
const used = new Map();
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  let equivalent = 0;
  const counted = mutants.filter((m) => {
    const entry = listedAs(file, lines, m);
    if (!entry) return true;
    used.set(entry, (used.get(entry) ?? 0) + 1);
    if (m.status !== 'Survived') {
      failed = true;
      rows.push(`FAIL listed as equivalent but ${m.status}: ${file}:${m.location.start.line} ${m.mutatorName} → ${m.replacement}`);
      return true;
    }
    equivalent++;
    return false;
  });
  const count = (...states) => counted.filter((m) => states.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const errored = count('RuntimeError', 'CompileError');
  const valid = detected + count('Survived', 'NoCoverage');
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const threshold = thresholdOf(file);
  const ok = score >= threshold;
  failed ||= !ok;
  rows.push(
    `${ok ? 'ok  ' : 'FAIL'} ${score.toFixed(1).padStart(5)} % (≥ ${threshold}) ${file}: ${detected} detected, ${count('Survived')} survived, ` +
      `${count('NoCoverage')} not covered${equivalent ? `, ${equivalent} equivalent (listed)` : ''}` +
      // A mutant that breaks a spec file's module-level fixtures fails the whole file: Stryker calls it a
      // runtime error and leaves it out of the score, and so does this; shown so that it is not hidden.
      `${errored ? `, ${errored} errored (not scored)` : ''}`,
  );
}
for (const e of equivalentMutants) {
  // Only files this report covers: a run over some files says nothing of the others' entries.
  const matched = used.get(e) ?? 0;
  if (report.files[e.file] && matched !== (e.count ?? 1)) {
    failed = true;
    rows.push(
      `FAIL listed as equivalent, matching ${matched} mutants, not ${e.count ?? 1}: ${e.file} "${e.line}" ${e.mutator} → ${e.replacement}`,
    );
  }
}
process.stdout.write(`${rows.sort().join('\n')}\n`);
process.exit(failed ? 1 : 0);
