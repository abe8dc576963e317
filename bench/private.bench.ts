/**
 * Private sign-up checks benchmark (issue: private checks). `BENCH_ONLY=private npm run bench`.
 *
 * 1. The limit: libsodium's raw ristretto255 scalar multiplication rate (the library the service
 *    evaluates with), measured in this process while the API idles, before and after the API runs.
 * 2. Evaluations through one API process as `npm start` runs it (built code, API key, rate limit,
 *    schema, metrics): blinded elements per second in batches of 100 and of 1, closed loop, and
 *    their ratio to the raw rate. A batch costs two multiplications an element (the evaluation and
 *    its share of the proof's composite) plus three: the ceiling of that ratio is 0.5.
 * 3. A private check of a 3-signal sign-up through the SDK's PrivateScreener, end to end, at a fixed
 *    offered load (open loop: a check starts every 1/rate s whether the last one ended or not),
 *    against the plain check of the same raw signals at the same load, in alternating rounds.
 * 4. The set: 1,000,000 entries for one platform, downloaded by the SDK: time, bytes on the wire,
 *    bytes per entry in the SDK's table and in the process's heap.
 * 5. Freshness: a new order's tag in the SDK's copy, and gone after its revocation: milliseconds
 *    from the service's answer (long polls).
 */
import 'reflect-metadata';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { loadConfig } from '@ostracon/config';
import { PrivateScreener, voprf } from '@ostracon/platform-sdk';
import { ristretto255 } from '@noble/curves/ed25519.js';
import sodium from 'libsodium-wrappers-sumo';
import { DataSource } from 'typeorm';
import { startApi, stop } from './api-process';
import { RESULTS_DIR } from './paths';

const SET_SIZE = Number(process.env.BENCH_PRIVATE_SET ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_PRIVATE_RATE ?? 100);
/** The API's evaluation threads (PRIVATE_EVALUATION_THREADS' default): the ceiling is measured in as many. */
const THREADS = Number(process.env.PRIVATE_EVALUATION_THREADS ?? availableParallelism());
const DIST = join(__dirname, '..');

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [join(DIST, 'apps', 'cli', 'src', 'main.js'), ...args], { encoding: 'utf8' });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** libsodium's scalar multiplications per second, on random elements, for `ms`. */
function rawMultiplications(ms: number): number {
  const points = Array.from({ length: 64 }, () => sodium.crypto_core_ristretto255_random());
  const scalars = Array.from({ length: 64 }, () => sodium.crypto_core_ristretto255_scalar_random());
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 64; i++) sodium.crypto_scalarmult_ristretto255(scalars[i]!, points[i]!);
    n += 64;
  }
  return (n / (performance.now() - start)) * 1000;
}

/**
 * The ceiling of evaluations: libsodium's raw scalar multiplications per second in `threads`
 * worker threads at once (as many as the API's evaluation threads), each a tight loop for `ms`.
 */
async function rawMultiplicationsInThreads(threads: number, ms: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const sodium = require('libsodium-wrappers-sumo');
    sodium.ready.then(() => {
      const points = Array.from({ length: 64 }, () => sodium.crypto_core_ristretto255_random());
      const scalars = Array.from({ length: 64 }, () => sodium.crypto_core_ristretto255_scalar_random());
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < workerData) {
        for (let i = 0; i < 64; i++) sodium.crypto_scalarmult_ristretto255(scalars[i], points[i]);
        n += 64;
      }
      parentPort.postMessage((n / (performance.now() - start)) * 1000);
    });`;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: ms });
          worker.once('message', (rate: number) => {
            resolve(rate);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** @noble/curves' ristretto255 multiplication (pure JavaScript) in one thread, for reference. */
function nobleMultiplications(ms: number): number {
  const point = ristretto255.Point.BASE.multiply(BigInt(`0x${randomBytes(31).toString('hex')}`));
  const scalar = BigInt(`0x${randomBytes(31).toString('hex')}`);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    point.multiply(scalar);
    n++;
  }
  return (n / (performance.now() - start)) * 1000;
}

async function evaluations(base: string, apiKey: string, keyId: string, batch: number): Promise<number> {
  const blindedElements = Array.from({ length: batch }, () => Buffer.from(voprf.hashToGroup(randomBytes(32))).toString('hex'));
  const run = (duration: number) =>
    autocannon({
      url: `${base}/v1/private/evaluations`,
      method: 'POST',
      body: JSON.stringify({ keyId, blindedElements }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      connections: 4,
      duration,
    });
  await run(2);
  const r = await run(SECONDS);
  if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`evaluations: ${r.non2xx + r.errors + r.timeouts} failed`);
  return r.requests.average * batch;
}

/** bench/bare-voprf-server.ts in a process of its own: its port and public key. */
function startBareVoprf(): Promise<{ child: ChildProcess; port: number; publicKey: string }> {
  const child = spawn(process.execPath, [join(__dirname, 'bare-voprf-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (\d+) ([0-9a-f]{64})\n/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), publicKey: m[2]! });
    });
    child.on('exit', (code) => reject(new Error(`bare-voprf-server exited with ${code}: ${out}`)));
  });
}

async function main() {
  await sodium.ready;
  await voprf.loadVoprf();
  const config = loadConfig();
  const dataSource = await new DataSource({ type: 'postgres', url: config.database.url }).initialize();
  const platform = `bench-private-${randomBytes(3).toString('hex')}`;
  const big = `bench-set-${randomBytes(3).toString('hex')}`;
  cli('platforms:create', '--id', platform, '--name', 'Bench private');
  cli('platforms:create', '--id', big, '--name', 'Bench set');
  const key = (p: string) =>
    (JSON.parse(cli('clients:create', '--role', 'platform', '--platform', p, '--name', `bench ${p}`, '--json')) as { apiKey: string })
      .apiKey;
  const apiKey = key(platform);
  const bigKey = key(big);
  const authority = JSON.parse(cli('clients:create', '--role', 'authority', '--name', 'bench authority', '--json')) as { apiKey: string };

  const rawBefore = rawMultiplications(3000);
  const api = await startApi();
  const keyId = (
    (await (await fetch(`${api.base}/v1/private/keys`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as {
      keys: { keyId: string }[];
    }
  ).keys[0]!.keyId;

  try {
    // 2. Evaluations.
    // Alternating with the API's evaluations in each round: the ceiling, libsodium's raw
    // multiplications in as many threads as the API evaluates with (while the API idles).
    const batch100: number[] = [];
    const batch1: number[] = [];
    const threaded: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      threaded.push(await rawMultiplicationsInThreads(THREADS, 3000));
      batch100.push(await evaluations(api.base, apiKey, keyId, 100));
      batch1.push(await evaluations(api.base, apiKey, keyId, 1));
      console.log(`evaluation round ${r + 1}`, { threaded: threaded.at(-1), batch100: batch100.at(-1), batch1: batch1.at(-1) });
    }
    const rawAfter = rawMultiplications(3000);
    const raw = (rawBefore + rawAfter) / 2;
    const noble = nobleMultiplications(2000);
    /** Per round: elements/s ÷ (multiplications/s in THREADS threads ÷ 2), two multiplications an element. */
    const ceilingRatios = batch100.map((e, r) => e / (threaded[r]! / 2));

    // 3. A 3-signal sign-up, private through the SDK and plain, at the same offered load, each
    // round's generator in a process of its own (bench/private-load.ts), alternating rounds.
    const load = (mode: 'private' | 'plain' | 'bare', client: 'sdk' | 'fetch' = 'sdk') => {
      const target = mode === 'bare' ? { base: `http://127.0.0.1:${bare.port}`, publicKey: bare.publicKey } : { base: api.base };
      const options = { ...target, apiKey, platform, mode, client, rate: RATE, seconds: SECONDS, warmSeconds: 2 };
      const out = execFileSync(process.execPath, [join(__dirname, 'private-load.js'), JSON.stringify(options)], { encoding: 'utf8' });
      return JSON.parse(out.trim().split('\n').at(-1)!) as { checks: number; failed: number; p50: number; p99: number; max: number };
    };
    // Private through the SDK's own client (node:http, kept-alive), through the SDK given
    // `fetch` (its client before 2026-12-07), and the plain check, in turn in each round.
    const privateRuns: { p50: number; p99: number; failed: number }[] = [];
    const privateFetchRuns: { p50: number; p99: number; failed: number }[] = [];
    const plainRuns: { p50: number; p99: number; failed: number }[] = [];
    // The baseline of the private check: its cryptographic job alone, on node:http (bench/bare-voprf-server.ts).
    const bareRuns: { p50: number; p99: number; failed: number }[] = [];
    const bare = await startBareVoprf();
    try {
      for (let r = 0; r < ROUNDS; r++) {
        privateRuns.push(load('private'));
        privateFetchRuns.push(load('private', 'fetch'));
        plainRuns.push(load('plain'));
        bareRuns.push(load('bare'));
        console.log(`check round ${r + 1}`, privateRuns.at(-1), privateFetchRuns.at(-1), plainRuns.at(-1), bareRuns.at(-1));
      }
    } finally {
      bare.child.kill('SIGTERM');
    }

    // BENCH_PRIVATE_SET=0 skips 4 and 5 (to iterate on the checks).
    const setResults =
      SET_SIZE === 0
        ? { set: null, freshnessMs: null }
        : await (async () => {
            // 4. The set: SET_SIZE entries for one platform, written straight into the table (random tags),
            // then downloaded by the SDK through a fetch that counts the bytes on the wire.
            const seeded = performance.now();
            await dataSource.query(
              `INSERT INTO private_set_entries (platform_id, key_id, tag, strength, present, version, changed_at)
       SELECT $1, $2, decode(md5($3 || i::text), 'hex'), CASE WHEN i % 3 = 0 THEN 'possible' ELSE 'strong' END, true,
              nextval('private_set_version'), now()
       FROM generate_series(1, $4) AS i`,
              [big, keyId, randomBytes(8).toString('hex'), SET_SIZE],
            );
            // As autovacuum would after a change this large: without statistics the planner scans.
            await dataSource.query('ANALYZE private_set_entries');
            const seedMs = performance.now() - seeded;
            let wireBytes = 0;
            const counting: typeof fetch = async (input, init) => {
              const res = await fetch(input, init);
              const body = await res.arrayBuffer();
              wireBytes += body.byteLength;
              res.headers.forEach((v, k) => (wireBytes += k.length + v.length + 4));
              return new Response(body, { status: res.status, headers: res.headers });
            };
            global.gc?.();
            const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
            const downloadStart = performance.now();
            const bigScreener = await PrivateScreener.start({
              baseUrl: api.base,
              apiKey: bigKey,
              platform: big,
              fetch: counting,
              pollWaitSeconds: 25,
            });
            const downloadMs = performance.now() - downloadStart;
            global.gc?.();
            const heapGrowth = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore;
            const entries = bigScreener.size;
            const tableBytesPerEntry = bigScreener.setBytes / entries;

            // 5. Freshness, in the SDK's copy of that million-entry set.
            const fresh: { added: number[]; removed: number[] } = { added: [], removed: [] };
            for (let i = 0; i < 10; i++) {
              const before = bigScreener.size;
              const created = await fetch(`${api.base}/v1/orders`, {
                method: 'POST',
                headers: {
                  authorization: `Bearer ${authority.apiKey}`,
                  'content-type': 'application/json',
                  'idempotency-key': randomBytes(8).toString('hex'),
                },
                body: JSON.stringify(orderBody(big, `fresh.${randomBytes(6).toString('hex')}@bench.example`)),
              });
              if (created.status !== 201) throw new Error(`order: ${created.status} ${await created.text()}`);
              const answered = performance.now();
              const { id } = (await created.json()) as { id: string };
              while (bigScreener.size === before) await new Promise((r) => setImmediate(r));
              fresh.added.push(performance.now() - answered);
              const revoked = await fetch(`${api.base}/v1/orders/${id}/revoke`, {
                method: 'POST',
                headers: { authorization: `Bearer ${authority.apiKey}`, 'content-type': 'application/json' },
                body: JSON.stringify({ reason: 'Bench', decisionReference: 'BENCH-1' }),
              });
              if (revoked.status !== 200) throw new Error(`revoke: ${revoked.status}`);
              const revokeAnswered = performance.now();
              while (bigScreener.size !== before) await new Promise((r) => setImmediate(r));
              fresh.removed.push(performance.now() - revokeAnswered);
            }
            await bigScreener.stop();
            return {
              set: {
                entries,
                seedMs: Math.round(seedMs),
                downloadMs: Math.round(downloadMs),
                wireBytes,
                wireBytesPerEntry: round(wireBytes / entries),
                sdkTableBytesPerEntry: round(tableBytesPerEntry),
                sdkHeapBytesPerEntry: round(heapGrowth / entries),
              },
              freshnessMs: {
                added: { median: round(median(fresh.added)), max: round(Math.max(...fresh.added)) },
                removed: { median: round(median(fresh.removed)), max: round(Math.max(...fresh.removed)) },
              },
            };
          })();

    const evaluationsPerSecond100 = median(batch100);
    const evaluationsPerSecond1 = median(batch1);
    const results = {
      machine: `${(await import('node:os')).cpus().length} cores`,
      raw: {
        library: 'libsodium-wrappers-sumo 0.8.4 (WebAssembly)',
        multiplicationsPerSecond: Math.round(raw),
        before: Math.round(rawBefore),
        after: Math.round(rawAfter),
      },
      evaluations: {
        batch100: {
          elementsPerSecond: Math.round(evaluationsPerSecond100),
          rounds: batch100.map(Math.round),
          ratioToRawMultiplications: round(evaluationsPerSecond100 / raw, 3),
        },
        batch1: {
          elementsPerSecond: Math.round(evaluationsPerSecond1),
          rounds: batch1.map(Math.round),
          ratioToRawMultiplications: round(evaluationsPerSecond1 / raw, 3),
        },
        note: 'a batch of n costs 2n + 3 multiplications: the ceiling of elements/s ÷ multiplications/s is 0.5 for large batches, 0.2 for n = 1',
        ceiling: {
          threads: THREADS,
          multiplicationsPerSecond: threaded.map(Math.round),
          nobleOneThreadPerSecond: Math.round(noble),
          batch100RatioToCeiling: round(median(ceilingRatios), 3),
          rounds: ceilingRatios.map((x) => round(x, 3)),
          note: 'elements/s in batches of 100 ÷ (libsodium multiplications/s in as many threads as the API evaluates with ÷ 2); target ≥ 0.7',
        },
      },
      signupCheck3Signals: {
        offeredPerSecond: RATE,
        generator: 'bench/private-load.ts, a process of its own per round',
        private: {
          p50Ms: round(median(privateRuns.map((r) => r.p50))),
          p99Ms: round(median(privateRuns.map((r) => r.p99))),
          rounds: privateRuns.map((r) => ({ p50: round(r.p50), p99: round(r.p99), failed: r.failed })),
        },
        privateThroughFetch: {
          p50Ms: round(median(privateFetchRuns.map((r) => r.p50))),
          p99Ms: round(median(privateFetchRuns.map((r) => r.p99))),
          rounds: privateFetchRuns.map((r) => ({ p50: round(r.p50), p99: round(r.p99), failed: r.failed })),
        },
        plain: {
          p50Ms: round(median(plainRuns.map((r) => r.p50))),
          p99Ms: round(median(plainRuns.map((r) => r.p99))),
          rounds: plainRuns.map((r) => ({ p50: round(r.p50), p99: round(r.p99), failed: r.failed })),
        },
        bareVoprf: {
          note: 'the baseline: the same signals prepared, blinded, evaluated with one proof by a bare node:http server, verified and unblinded; nothing else',
          p50Ms: round(median(bareRuns.map((r) => r.p50))),
          p99Ms: round(median(bareRuns.map((r) => r.p99))),
          rounds: bareRuns.map((r) => ({ p50: round(r.p50), p99: round(r.p99), failed: r.failed })),
        },
      },
      ...setResults,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'private.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    await stop(api.child);
    await dataSource.destroy();
  }
}

function orderBody(platform: string, email: string) {
  const today = new Date();
  const decision = new Date(today.getTime() - 3 * 86_400_000).toISOString().slice(0, 10);
  return {
    courtReference: `BENCH-${randomBytes(4).toString('hex')}`,
    court: 'Tribunal judiciaire de Paris',
    decisionDate: decision,
    legalBasis: 'conviction',
    offence: 'cyberharassment',
    repeatOffender: false,
    durationDays: 180,
    subject: { signals: [{ type: 'email', value: email }] },
    platforms: [{ platform, accounts: [{ accountId: `acct-${randomBytes(4).toString('hex')}` }] }],
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
