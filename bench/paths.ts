import { join } from 'node:path';

/**
 * The checkout's bench/ folder, where the results are kept and the wrk script lives. The compiled
 * benches run from a build of their own (.local/builds/<id>, docs/decisions/0012), not beside their
 * sources; `npm run bench` runs them from the checkout's root (scripts/bench.sh).
 */
export const BENCH_DIR = join(process.cwd(), 'bench');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
