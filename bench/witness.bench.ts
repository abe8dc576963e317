/**
 * Witnessed log benchmark (issue 15). Run with `BENCH_ONLY=witness npm run bench`.
 *
 * 1. Time to witness: the real worker (in this process) signs a checkpoint every 200 ms while
 *    events are appended steadily; two witness processes (the built apps/witness, as an auditor
 *    runs it) cosign. For each checkpoint: from its signature (audit_checkpoints.signed_at) to the
 *    second cosignature stored (audit_cosignatures.received_at), p50/p99. Baseline: the limit,
 *    one add-checkpoint round trip straight to a witness, a new checkpoint each with its
 *    crash-safe write (part 2's latencies), p50/p99.
 * 2. A witness's cost per checkpoint at a log of 1,000,000 events: a witness process is sent a
 *    first checkpoint at 1,000,000 leaves, then 2,000 more, each a few leaves larger with its
 *    consistency proof; its CPU (from /proc) and the bytes in and out per checkpoint, and the
 *    state it keeps. Baseline: the cryptography alone in one process (verify the log's
 *    signature, verify the proof, sign the cosignature), per checkpoint.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AuditService, ed25519Key } from '@ostracon/audit';
import { loadConfig } from '@ostracon/config';
import {
  MemoryTree,
  checkpointText,
  consistencyProof,
  cosignatureLine,
  parseVerifierKey,
  signNote,
  splitNote,
  verifierKey,
  verifyConsistency,
} from '@ostracon/platform-sdk/transparency';
import type { DataSource } from 'typeorm';
import { verify } from 'node:crypto';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { RESULTS_DIR } from './paths';

const SECONDS = Number(process.env.BENCH_WITNESS_SECONDS ?? 30);
const EVENTS_PER_SECOND = 25;
const LOG_SIZE = Number(process.env.BENCH_WITNESS_LOG ?? 1_000_000);
const CHECKPOINTS = Number(process.env.BENCH_WITNESS_CHECKPOINTS ?? 2000);
const witnessMain = join(__dirname, '..', 'apps', 'witness', 'src', 'main.js');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1)!) };
};

class WitnessProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'bench-witness-'));
  readonly verifierKey: string;
  child?: ChildProcess;
  url = '';

  constructor(readonly name: string) {
    const made = spawnSync(process.execPath, [witnessMain, 'keygen', '--name', name, '--key-file', join(this.dir, 'key')], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(made.stderr);
    this.verifierKey = made.stdout.trim();
  }

  async start(logKey: string): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        witnessMain,
        'serve',
        '--name',
        this.name,
        '--key-file',
        join(this.dir, 'key'),
        '--log',
        logKey,
        '--state-dir',
        join(this.dir, 'state'),
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    while (!/witness ready on (http:\/\/\S+)/.test(out)) {
      if (child.exitCode !== null) throw new Error(`witness exited: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    this.url = /witness ready on (http:\/\/[^"\s]+)/.exec(out)![1]!;
    // Past the start: its request log is not what is measured.
    child.stdout!.removeAllListeners('data');
    child.stdout!.resume();
    this.child = child;
  }

  /** User + system CPU of the process so far, in ms (from /proc, 10 ms ticks). */
  cpuMs(): number {
    const fields = readFileSync(`/proc/${this.child!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }

  stop(): void {
    this.child?.kill('SIGTERM');
  }
}

async function timeToWitness(baseline: { p50: number; p99: number }): Promise<Record<string, unknown>> {
  const config = loadConfig();
  const origin = config.audit.origin;
  const logKey = verifierKey(origin, ed25519Key(config.audit.signingKeys[0]!.key).publicKey);
  const witnesses = [new WitnessProcess('bench.witness/one'), new WitnessProcess('bench.witness/two')];
  for (const w of witnesses) await w.start(logKey);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(
      {
        ...config,
        audit: {
          ...config.audit,
          treeIntervalMs: 50,
          checkpointIntervalMs: 200,
          witnesses: witnesses.map((w) => ({ name: w.name, vkey: w.verifierKey, url: w.url })),
          witnessQuorum: 2,
        },
      },
      { relay: false, delivery: false, lifecycle: false },
    ),
    { logger: ['error'] },
  );
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const audit = app.get(AuditService);
  const [{ start }] = await dataSource.query(`SELECT now() AS start`);
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    await dataSource.transaction((em) => audit.record(em, { type: 'client.created', actor: 'cli', data: { bench: 'witness' } }));
    await new Promise((r) => setTimeout(r, 1000 / EVENTS_PER_SECOND));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const rows: { size: string; ms: number; cosignatures: string }[] = await dataSource.query(
    `SELECT c.size, extract(epoch FROM max(s.received_at) - c.signed_at) * 1000 AS ms, count(s.witness) AS cosignatures
     FROM audit_checkpoints c JOIN audit_checkpoint_notes n USING (size) LEFT JOIN audit_cosignatures s USING (size)
     WHERE c.signed_at >= $1 GROUP BY c.size, c.signed_at ORDER BY c.size`,
    [start],
  );
  const witnessed = rows.filter((r) => Number(r.cosignatures) === 2);
  await app.close();

  for (const w of witnesses) w.stop();
  const toWitness = summary(witnessed.map((r) => Number(r.ms)));
  return {
    checkpointsSigned: rows.length,
    checkpointsWitnessedByBoth: witnessed.length,
    signedToWitnessedMs: toWitness,
    baselineOneAddCheckpointMs: {
      p50: baseline.p50,
      p99: baseline.p99,
      note: 'one add-checkpoint sent straight to a witness, a new checkpoint each (with its crash-safe write): part 2',
    },
    ratioP50: round(toWitness.p50 / baseline.p50),
    ratioP99: round(toWitness.p99 / baseline.p99),
  };
}

async function witnessCost(): Promise<Record<string, unknown>> {
  const origin = 'bench.example/audit-log';
  const log = generateKeyPairSync('ed25519');
  const logKey = verifierKey(origin, log.publicKey);
  const tree = new MemoryTree();
  const started = performance.now();
  for (let i = 0; i < LOG_SIZE; i++) tree.append(createHash('sha256').update(randomBytes(8)).digest());
  console.log(`tree of ${LOG_SIZE} leaves in ${Math.round(performance.now() - started)} ms`);
  const noteOf = (size: number) => signNote(checkpointText(origin, size, tree.root(size)), origin, log.privateKey, log.publicKey);
  // The requests, prepared before anything is timed: each a few leaves more than the last.
  const requests: string[] = [`old 0\n\n${noteOf(tree.size)}`];
  let old = tree.size;
  for (let i = 0; i < CHECKPOINTS; i++) {
    const grow = 1 + (i % 50);
    for (let j = 0; j < grow; j++) tree.append(createHash('sha256').update(randomBytes(8)).digest());
    const proof = consistencyProof(tree, old, tree.size);
    requests.push(`old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${noteOf(tree.size)}`);
    old = tree.size;
  }
  const witness = new WitnessProcess('bench.witness/cost');
  await witness.start(logKey);
  const first = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body: requests[0] });
  if (first.status !== 200) throw new Error(`first checkpoint: ${first.status} ${await first.text()}`);
  const cpuBefore = witness.cpuMs();
  let bytesIn = 0;
  let bytesOut = 0;
  const latencies: number[] = [];
  const begun = performance.now();
  for (const body of requests.slice(1)) {
    const t0 = performance.now();
    const res = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body });
    const answer = await res.text();
    latencies.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`add-checkpoint: ${res.status} ${answer}`);
    bytesIn += Buffer.byteLength(body);
    bytesOut += Buffer.byteLength(answer);
  }
  const wallMs = performance.now() - begun;
  const cpuMs = witness.cpuMs() - cpuBefore;
  const stateDir = join(witness.dir, 'state');
  const stateBytes = readdirSync(stateDir).reduce((sum, f) => sum + statSync(join(stateDir, f)).size, 0);
  witness.stop();

  // Baseline: the cryptography a cosignature needs, nothing else, in this process.
  const logVerifier = parseVerifierKey(logKey);
  const me = generateKeyPairSync('ed25519');
  const roots = new Map<number, Buffer>();
  const cryptoStart = process.cpuUsage();
  for (const body of requests.slice(1)) {
    const blank = body.indexOf('\n\n');
    const note = body.slice(blank + 2);
    const lines = body.slice(0, blank).split('\n');
    const oldSize = Number(lines[0]!.slice(4));
    const proof = lines.slice(1).map((l) => Buffer.from(l, 'base64'));
    const { text, signatures } = splitNote(note);
    verify(null, Buffer.from(text), logVerifier.publicKey, signatures[0]!.signature);
    const [, size, root] = text.split('\n');
    const newRoot = Buffer.from(root!, 'base64');
    verifyConsistency(oldSize, Number(size), roots.get(oldSize) ?? tree.root(oldSize), newRoot, proof);
    roots.set(Number(size), newRoot);
    cosignatureLine(text, 'bench.witness/baseline', me.privateKey, me.publicKey, 1_800_000_000);
  }
  const cryptoUsage = process.cpuUsage(cryptoStart);
  const baselineCpuUs = (cryptoUsage.user + cryptoUsage.system) / CHECKPOINTS;
  const perCheckpointCpuUs = (cpuMs * 1000) / CHECKPOINTS;
  return {
    logSize: LOG_SIZE,
    checkpoints: CHECKPOINTS,
    witnessCpuPerCheckpointUs: round(perCheckpointCpuUs, 0),
    baselineCryptoCpuPerCheckpointUs: round(baselineCpuUs, 0),
    ratioCpu: round(perCheckpointCpuUs / baselineCpuUs),
    requestBytesPerCheckpoint: round(bytesIn / CHECKPOINTS, 0),
    responseBytesPerCheckpoint: round(bytesOut / CHECKPOINTS, 0),
    stateBytes,
    latencyMs: summary(latencies),
    checkpointsPerSecondSequential: round(CHECKPOINTS / (wallMs / 1000), 0),
  };
}

async function main() {
  const cost = await witnessCost();
  console.log('witness cost', cost);
  const time = await timeToWitness(cost.latencyMs as { p50: number; p99: number });
  console.log('time to witness', time);
  const results = {
    benchmark: 'witness',
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).availableParallelism(), node: process.version },
    timeToWitness: time,
    witnessCost: cost,
    note: 'Witness keys are Ed25519 (cosignature/v1); each add-checkpoint is fsynced before it is answered (write, fsync, rename, fsync of the directory).',
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'witness.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
