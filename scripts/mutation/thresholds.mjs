// Per-file mutation score thresholds (issue 17): ≥ 90 % for the code that verifies or does
// cryptography, ≥ 85 % elsewhere. Reads Stryker's JSON report (mutation-testing-report-schema),
// prints each file's score and exits 1 if one is below its threshold. Score: killed and timed-out
// mutants over all valid ones (no coverage counts against; compile and runtime errors do not count).
import { readFileSync } from 'node:fs';

const STRICT = [
  'libs/platform-sdk/src/transparency/',
  'libs/platform-sdk/src/private/voprf.ts',
  'libs/identity/src/hash.ts',
  'libs/platform-sdk/src/signals/prehash.ts',
  'libs/common/src/key-ring-cipher.ts',
];
const thresholdOf = (file) => (STRICT.some((p) => file.startsWith(p)) ? 90 : 85);

const report = JSON.parse(readFileSync(new URL('../../reports/mutation/mutation.json', import.meta.url), 'utf8'));
let failed = false;
const rows = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  const count = (...states) => mutants.filter((m) => states.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const valid = detected + count('Survived', 'NoCoverage');
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const threshold = thresholdOf(file);
  const ok = score >= threshold;
  failed ||= !ok;
  rows.push(`${ok ? 'ok  ' : 'FAIL'} ${score.toFixed(1).padStart(5)} % (≥ ${threshold}) ${file}: ${count('Survived')} survived, ${count('NoCoverage')} not covered`);
}
process.stdout.write(`${rows.sort().join('\n')}\n`);
process.exit(failed ? 1 : 0);
