/**
 * The load generator of private.bench.ts's sign-up checks, in its own process (so that the bench
 * process's own work, the set download and the API's start, never lands in the latencies): a
 * 3-signal sign-up checked every 1/rate s, open loop (each latency counted from when its check
 * was due: no coordinated omission), privately through the SDK's PrivateScreener or plainly
 * (POST /v1/signup-checks with the raw signals, the same fetch). `node private-load.js '<json>'`;
 * prints one JSON line: p50, p99, max, checks answered and checks failed.
 */
import { Agent, request } from 'node:http';
import { PrivateScreener, prepareSignal, voprf } from '@ostracon/platform-sdk';

interface Options {
  base: string;
  apiKey: string;
  platform: string;
  /**
   * `bare`: the private check's cryptographic job alone, against bench/bare-voprf-server.ts at
   * `base` (whose public key is `publicKey`): the signals prepared, blinded, evaluated over a
   * kept-alive node:http connection, the proof verified, the elements unblinded and looked up.
   */
  mode: 'private' | 'plain' | 'bare';
  publicKey?: string;
  /** The SDK's own client (node:http, kept-alive), or `fetch` given to it (the SDK before 2026-12-07). */
  client: 'sdk' | 'fetch';
  rate: number;
  seconds: number;
  warmSeconds: number;
}

const options = JSON.parse(process.argv[2]!) as Options;
/** Checks that threw (a timeout: the SDK gives up after 10 s), counted apart from the latencies. */
let failed = 0;

const signals = (i: number) => [
  { type: 'email' as const, value: `someone.${i}@example.fr` },
  {
    type: 'phone' as const,
    value: `06 ${String(10_000_000 + i)
      .slice(0, 8)
      .replace(/(\d\d)(?=\d)/g, '$1 ')}`,
  },
  {
    type: 'name_dob' as const,
    value: { givenName: 'Camille', familyName: `Durand${String.fromCharCode(97 + (i % 26))}`, birthDate: '1990-05-17' },
  },
];

/** Open loop: `start(i)` due every 1/rate s; the latencies of all, from when each was due, sorted. */
async function openLoop(rate: number, seconds: number, start: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      start(i).then(
        () => void latencies.push(performance.now() - due),
        (error: unknown) => {
          failed++;
          if (failed === 1) console.error(`a check failed: ${String(error)}`);
        },
      ),
    );
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

async function main() {
  let check: (i: number) => Promise<void>;
  let screener: PrivateScreener | undefined;
  if (options.mode === 'private') {
    screener = await PrivateScreener.start({
      baseUrl: options.base,
      apiKey: options.apiKey,
      platform: options.platform,
      pollWaitSeconds: 25,
      // The SDK before 2026-12-07: the global fetch, given to it.
      ...(options.client === 'fetch' ? { fetch } : {}),
    });
    const s = screener;
    check = (i) =>
      s.checkSignup(signals(i)).then((r) => {
        if (r.decision !== 'allow' || r.evaluated !== 3) throw new Error(`private check: ${JSON.stringify(r)}`);
      });
  } else if (options.mode === 'bare') {
    await voprf.loadVoprf();
    const publicKey = Uint8Array.from(Buffer.from(options.publicKey!, 'hex'));
    const agent = new Agent({ keepAlive: true });
    const tags = new Set<string>();
    const context = { defaultCountry: 'FR', today: new Date().toISOString().slice(0, 10), platform: options.platform };
    const post = (body: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          `${options.base}/evaluate`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`bare: ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    check = async (i) => {
      const inputs = signals(i).flatMap((signal) => {
        const prepared = prepareSignal(signal, context);
        return prepared.ok ? [Buffer.from(prepared.signal.prehash, 'hex')] : [];
      });
      const blinded = inputs.map((input) => voprf.blind(input));
      const answer = JSON.parse(
        await post(JSON.stringify({ blindedElements: blinded.map((b) => Buffer.from(b.blindedElement).toString('hex')) })),
      ) as { evaluatedElements: string[]; proof: string };
      const evaluated = answer.evaluatedElements.map((e) => Uint8Array.from(Buffer.from(e, 'hex')));
      const proof = Uint8Array.from(Buffer.from(answer.proof, 'hex'));
      if (
        evaluated.length !== 3 ||
        !voprf.verifyBatch(
          publicKey,
          blinded.map((b) => b.blindedElement),
          evaluated,
          proof,
        )
      ) {
        throw new Error('bare: the proof does not verify');
      }
      for (let k = 0; k < blinded.length; k++) {
        if (tags.has(voprf.tagOf(voprf.unblind(blinded[k]!.blind, evaluated[k]!)).toString('hex'))) throw new Error('bare: a match');
      }
    };
  } else {
    check = (i) =>
      fetch(`${options.base}/v1/signup-checks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ signals: signals(i) }),
      }).then(async (res) => {
        if (res.status !== 200) throw new Error(`plain check: ${res.status}`);
        await res.arrayBuffer();
      });
  }
  await openLoop(options.rate, options.warmSeconds, check);
  failed = 0;
  const sorted = await openLoop(options.rate, options.seconds, (i) => check(1_000_000 + i));
  await screener?.stop();
  const at = (p: number) => +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
  process.stdout.write(`${JSON.stringify({ checks: sorted.length, failed, p50: at(50), p99: at(99), max: +sorted.at(-1)!.toFixed(2) })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
