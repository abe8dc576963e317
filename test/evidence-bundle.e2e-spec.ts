import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519Key } from '@ostracon/audit';
import type { CreatedClient } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { COSIGNATURE_V1, type EvidenceBundle, leafHash, verifierKey, verifyEvidence } from '@ostracon/platform-sdk/transparency';
import { ScreeningIndexService } from '@ostracon/screening';
import canonicalize from 'canonicalize';
import { generateKeyPairSync } from 'node:crypto';
import { runCli } from '../apps/cli/src/cli';
import { RAW, orderBody } from './support/builders';
import { waitFor } from './support/isolated';
import { InProcessWitness } from './support/witness';
import { type World, startWorld } from './support/world';

/**
 * The evidence file of a confirmed attempt (issue 30 § 1, docs/auditing.md § Evidence file): the
 * real API, worker and a witness; the bundle verifies offline with the SDK's verifier, and fails
 * when one byte of it changes; its PDF rendering; the route's refusals.
 */
jest.setTimeout(120_000);

/**
 * A platform's answer on a match, through its route (POST /v1/signup-matches/{id}/review, which
 * logs `signup_match.reviewed`); the log's seq of that event.
 */
async function logPlatformReview(
  world: World,
  review: { platformKey: string; matchId: string; outcome: 'confirmed' | 'not_same_person' | 'unknown' },
): Promise<number> {
  const res = await world.api.request({
    method: 'POST',
    url: `/v1/signup-matches/${review.matchId}/review`,
    key: review.platformKey,
    body: { outcome: review.outcome },
  });
  expect(res.status).toBe(200);
  const [row] = await world.api.dataSource.query(
    `SELECT max(seq) AS seq FROM audit_events WHERE type = 'signup_match.reviewed' AND data->>'matchId' = $1`,
    [review.matchId],
  );
  return Number(row.seq);
}

/** In front of the witness: answers 503 while paused, so that a checkpoint can be signed and not yet witnessed. */
class PausableWitness {
  paused = false;
  url = '';
  private server?: Server;
  constructor(private readonly target: InProcessWitness) {}
  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        if (this.paused) return void response.writeHead(503).end('paused');
        void fetch(`${this.target.url}${request.url}`, { method: 'POST', body: Buffer.concat(chunks) }).then(async (r) => {
          response
            .writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' })
            .end(Buffer.from(await r.arrayBuffer()));
        });
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }
  stop(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

/** The text a PDF shows, from its uncompressed content streams (pdfkit writes text as hex strings in TJ arrays). */
function pdfText(pdf: Buffer): string {
  const cp1252: Record<number, string> = { 0x92: '’', 0x97: '—', 0x96: '–', 0x93: '“', 0x94: '”' };
  const decode = (hex: string) => [...Buffer.from(hex, 'hex')].map((b) => cp1252[b] ?? String.fromCharCode(b)).join('');
  let text = '';
  let y: string | undefined;
  for (const block of pdf.toString('latin1').matchAll(/BT([\s\S]*?)ET/g)) {
    // Runs on one line (a bold label, then its value) share the y of their text matrix.
    const at = /(-?[\d.]+) Tm/.exec(block[1]!)?.[1];
    text += (at === y ? '' : '\n') + [...block[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => decode(m[1]!)).join('');
    y = at;
  }
  return text;
}

describe('the evidence file of a confirmed attempt', () => {
  let world: World;
  let base: string;
  const witness = new InProcessWitness('witness.test/greffe');
  const gate = new PausableWitness(witness);
  let logKey: string;
  let platform: string;
  let platformClient: CreatedClient;
  let auditor: CreatedClient;
  let order: { id: string };
  let matchId: string;

  beforeAll(async () => {
    const logConfig = loadConfig().audit;
    logKey = verifierKey(logConfig.origin, ed25519Key(logConfig.signingKeys[0]!.key).publicKey);
    await witness.start(logKey);
    await gate.start();
    world = await startWorld('evidence', {
      worker: {},
      config: (c) => ({
        ...c,
        audit: {
          ...c.audit,
          treeIntervalMs: 100,
          checkpointIntervalMs: 300,
          witnesses: [{ name: witness.name, vkey: witness.verifierKey, url: gate.url }],
          witnessQuorum: 1,
        },
      }),
    });
    expect(
      (await world.api.request({ method: 'GET', url: '/v1/audit/public-key', key: world.authority.apiKey })).body.noteVerifierKey,
    ).toBe(logKey);
    await world.api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(world.api.app.getHttpServer().address() as { port: number }).port}`;
    platform = await world.api.platform('evid');
    platformClient = await world.api.client('platform', platform);
    auditor = await world.api.client('auditor');
    order = await newOrder();
    matchId = await attempt();
  });

  afterAll(async () => {
    await world?.close();
    gate.stop();
    await witness.stop();
  });

  async function newOrder(): Promise<{ id: string }> {
    const res = await world.submit(orderBody(platform));
    expect([res.status, res.body.errors]).toEqual([201, undefined]);
    await waitFor(() => world.api.app.get(ScreeningIndexService).current?.has(res.body.id), 'the order in the index', 10_000);
    return res.body;
  }

  /** A sign-up attempt on the platform by the banned person: a block, with its matchId. */
  async function attempt(): Promise<string> {
    const res = await world.api.request({
      method: 'POST',
      url: '/v1/signup-checks',
      key: platformClient.apiKey,
      body: { signals: [{ type: 'email', value: RAW.email }] },
    });
    expect(res.body).toMatchObject({ decision: 'block', matchId: expect.any(String) });
    return res.body.matchId;
  }

  // A kept-alive connection the API closed while idle (HTTP_KEEP_ALIVE_TIMEOUT_MS) fails on reuse
  // before the request reaches it (ECONNRESET): sent again once, as the SDK does (decision 0029).
  const get = async (url: string, key = world.authority.apiKey): Promise<Response> => {
    const send = () => fetch(`${base}${url}`, { headers: { authorization: `Bearer ${key}` } });
    try {
      return await send();
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
      return send();
    }
  };
  const evidenceUrl = (o: string, m: string, format?: string) => `/v1/orders/${o}/evidence/${m}${format ? `?format=${format}` : ''}`;
  const trust = () => ({ logKey, witnessKeys: [witness.verifierKey], quorum: 1 });

  /** The confirmation under a witnessed checkpoint: the file, as downloaded. */
  async function download(o: string, m: string, key?: string): Promise<string> {
    const res = await waitFor(async () => {
      const r = await get(evidenceUrl(o, m), key);
      if (r.status === 409 && (await r.clone().json()).code === 'EVIDENCE.NOT_YET_WITNESSED') return null;
      return r;
    }, 'the confirmation to be witnessed');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="preuve-${o}-${m}.json"`);
    return res.text();
  }

  let file: string;

  it('refuses an attempt the platform has not confirmed: none, or a review that is not "confirmed"', async () => {
    const none = await get(evidenceUrl(order.id, matchId));
    expect([none.status, (await none.json()).code]).toEqual([409, 'EVIDENCE.NOT_CONFIRMED']);
    await logPlatformReview(world, { platformKey: platformClient.apiKey, matchId, outcome: 'unknown' });
    const unknown = await get(evidenceUrl(order.id, matchId));
    expect(unknown.status).toBe(409);
    expect(await unknown.json()).toMatchObject({ code: 'EVIDENCE.NOT_CONFIRMED', detail: expect.stringContaining('"unknown"') });
  });

  it('answers 409 with Retry-After while the confirmation is signed but not yet cosigned by the witnesses', async () => {
    gate.paused = true;
    try {
      const seq = await logPlatformReview(world, { platformKey: platformClient.apiKey, matchId, outcome: 'confirmed' });
      // Signed by the log, not yet witnessed: the witness is unreachable.
      await waitFor(
        async () => (await world.api.request({ method: 'GET', url: '/v1/audit/checkpoint', key: auditor.apiKey })).body.size >= seq,
        'a checkpoint holding the confirmation',
      );
      const res = await get(evidenceUrl(order.id, matchId));
      expect(res.status).toBe(409);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ code: 'EVIDENCE.NOT_YET_WITNESSED', detail: expect.stringMatching(/Try again in 2 s/) });
    } finally {
      gate.paused = false;
    }
  });

  it('gives, once witnessed, a bundle that verifies offline with the SDK: three events, one cosigned checkpoint', async () => {
    file = await download(order.id, matchId);
    const bundle = JSON.parse(file) as EvidenceBundle;
    // Served as its canonical JSON, which the verifier requires of a file.
    expect(canonicalize(bundle)).toBe(file);
    // docs/auditing.md's worked example is such a file, with its keys: EVIDENCE_EXAMPLE=<file> writes them.
    if (process.env.EVIDENCE_EXAMPLE) writeFileSync(process.env.EVIDENCE_EXAMPLE, JSON.stringify({ file, trust: trust() }));
    const report = verifyEvidence(file, trust());
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, orderId: order.id, matchId, checkpoint: { witnessedBy: [witness.name] } });
    expect([report.events!.order!.type, report.events!.match!.type, report.events!.confirmation!.type]).toEqual([
      'order.created',
      'signup.matched',
      'signup_match.reviewed',
    ]);
    expect(report.events!.confirmation!.data).toMatchObject({ matchId, outcome: 'confirmed' });
    expect(report.events!.order!.data).toMatchObject({ legalBasis: 'conviction', offence: 'cyberharassment', platforms: [platform] });
    // The leaves are the log's: the events page shows the same leaf hashes.
    const page = await world.api.request({ method: 'GET', url: `/v1/audit/events?orderId=${order.id}&limit=100`, key: auditor.apiKey });
    const leaves = new Map(page.body.items.map((e: { seq: number; leafHash: string }) => [e.seq, e.leafHash]));
    for (const e of Object.values(bundle.events)) expect(leaves.get(e.seq)).toBe(e.leafHash);
    expect(bundle.checkpoint.witnesses).toEqual([
      { name: witness.name, keyId: expect.stringMatching(/^[0-9a-f]{8}$/), verifierKey: witness.verifierKey },
    ]);
    // The file holds no raw identity value.
    for (const raw of Object.values(RAW)) expect(file).not.toContain(raw);
  });

  it('fails when one byte changes: in a leaf, a leaf hash, a proof hash, the root, the log signature, a cosignature, the outcome', () => {
    const bundle = JSON.parse(file) as EvidenceBundle;
    /** The file with the character at `at` (inside a string) replaced by another of its alphabet. */
    const flip = (at: number) => {
      const c = file[at]!;
      const other = /[0-9a-f]/.test(c) ? (c === '0' ? '1' : '0') : /[A-Za-z]/.test(c) ? (c === 'A' ? 'B' : 'A') : c === '1' ? '2' : '1';
      return file.slice(0, at) + other + file.slice(at + 1);
    };
    const inside = (needle: string, offset = 0) => {
      const at = file.indexOf(needle);
      expect(at).toBeGreaterThanOrEqual(0);
      return at + offset;
    };
    const noteSig = bundle.checkpoint.note.split('\n').find((l) => l.startsWith(`— ${bundle.checkpoint.origin} `))!;
    const cosig = bundle.checkpoint.note.split('\n').find((l) => l.startsWith(`— ${witness.name} `))!;
    const cases: [string, number, string][] = [
      ['a byte of the order event’s leaf (its offence)', inside('cyberharassment', 2), 'leaf'],
      ['a byte of the confirmation’s leaf hash', inside(bundle.events.confirmation.leafHash, 10), 'leaf'],
      ['a byte of a proof hash of the attempt', inside(bundle.events.match.proof[0]!, 20), 'inclusion'],
      ['a byte of the root', inside(`"rootHash":"${bundle.checkpoint.rootHash}`, 15), 'checkpoint'],
      ["a byte of the log's signature", inside(noteSig, noteSig.length - 10), 'log_signature'],
      ["a byte of the witness's cosignature", inside(cosig, cosig.length - 10), 'cosignature'],
      ['a byte of the confirmation’s outcome, in its leaf', inside('\\"outcome\\":\\"confirmed', 15), 'leaf'],
    ];
    for (const [what, at, check] of cases) {
      const report = verifyEvidence(flip(at), trust());
      expect([what, report.ok, report.problems.map((p) => p.check)]).toEqual([what, false, expect.arrayContaining([check])]);
    }
    // The leaf and its hash changed together (the leaf rehashed): the proof no longer reaches the root.
    const rehashed = structuredClone(bundle);
    rehashed.events.order.leaf = bundle.events.order.leaf.replace('"repeatOffender":false', '"repeatOffender":true');
    rehashed.events.order.leafHash = leafHash(Buffer.from(rehashed.events.order.leaf, 'utf8')).toString('hex');
    expect(verifyEvidence(canonicalize(rehashed)!, trust()).problems.map((p) => p.check)).toEqual(['inclusion']);
    // Every single byte of the file: flipping its lowest bit makes it fail (unparsed, altered or non-canonical).
    const bytes = Buffer.from(file, 'utf8');
    const survivors: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i]! ^= 0x01;
      if (verifyEvidence(altered, trust()).ok) survivors.push(i);
    }
    expect(survivors).toEqual([]);
  });

  it('checks the trust it is given: another log key, an unknown witness, a quorum the witnesses do not reach', () => {
    const stranger = verifierKey(witness.name, generateKeyPairSync('ed25519').publicKey, COSIGNATURE_V1);
    const otherLog = verifierKey(loadConfig().audit.origin, generateKeyPairSync('ed25519').publicKey);
    expect(verifyEvidence(file, { ...trust(), logKey: otherLog }).problems.map((p) => p.check)).toContain('log_signature');
    expect(verifyEvidence(file, { logKey, witnessKeys: [stranger], quorum: 1 }).problems.map((p) => p.check)).toEqual(['quorum']);
    expect(verifyEvidence(file, { logKey, witnessKeys: [witness.verifierKey, stranger], quorum: 2 }).problems.map((p) => p.check)).toEqual([
      'quorum',
    ]);
    expect(verifyEvidence(file, { logKey, witnessKeys: [witness.verifierKey, stranger], quorum: 1 }).ok).toBe(true);
  });

  it('verifies the file from the command line: npm run cli -- verify-evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-'));
    const good = join(dir, 'preuve.json');
    const bad = join(dir, 'alteree.json');
    writeFileSync(good, file);
    // The confirmation's outcome, inside its leaf (where quotes are escaped).
    writeFileSync(bad, file.replace('\\"outcome\\":\\"confirmed\\"', '\\"outcome\\":\\"confirmee\\"'));
    const run = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, world.config);
      return { code, stdout, stderr };
    };
    expect(readFileSync(bad, 'utf8')).not.toBe(file);
    const ok = await run('verify-evidence', good, '--log-key', logKey, '--witness', witness.verifierKey);
    expect(ok).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`evidence verified: order ${order.id}, attempt ${matchId} confirmed`),
    });
    const altered = await run('verify-evidence', bad, '--log-key', logKey, '--witness', witness.verifierKey);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toMatch(
      /^evidence does NOT verify\n {2}leaf: the confirmation event's leaf does not hash to its leafHash\n[\s\S]* {2}confirmed: the platform's review says "confirmee", not "confirmed"\n$/,
    );
    expect((await run('verify-evidence', good, '--log-key', 'not-a-key')).code).toBe(2);
  });

  it('renders the same bundle as a PDF for the case file, in French, with how to verify it', async () => {
    const res = await get(evidenceUrl(order.id, matchId, 'pdf'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="preuve-${order.id}-${matchId}.pdf"`);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    const bundle = JSON.parse(file) as EvidenceBundle;
    for (const expected of [
      'Dossier de preuve',
      `Ordonnance : ${order.id}`,
      `Tentative (matchId) : ${matchId}`,
      'Les termes de l’ordonnance, tels que journalisés',
      'La confirmation de la plateforme',
      'outcome : confirmed',
      `Témoin ${witness.name}`,
      bundle.checkpoint.rootHash,
      bundle.events.confirmation.leafHash,
      'Comment vérifier ce document',
      'npm run cli -- verify-evidence',
    ]) {
      expect([expected, text.includes(expected)]).toEqual([expected, true]);
    }
    for (const raw of Object.values(RAW)) expect(pdf.toString('latin1')).not.toContain(raw);
  });

  it('records each export (evidence.exported, with the format) and lets an auditor have it too', async () => {
    const auditorFile = await download(order.id, matchId, auditor.apiKey);
    expect(verifyEvidence(auditorFile, trust()).ok).toBe(true);
    const [rows] = [
      await world.api.dataSource.query(
        `SELECT actor, order_id, data FROM audit_events WHERE type = 'evidence.exported' AND order_id = $1 ORDER BY seq`,
        [order.id],
      ),
    ];
    expect(rows).toEqual([
      { actor: `client:${world.authority.id}`, order_id: order.id, data: { matchId, format: 'json' } },
      { actor: `client:${world.authority.id}`, order_id: order.id, data: { matchId, format: 'pdf' } },
      { actor: `client:${auditor.id}`, order_id: order.id, data: { matchId, format: 'json' } },
    ]);
  });

  it('refuses with stable codes: unknown or another authority’s order, unknown attempt, a platform, a bad format', async () => {
    const other = await world.api.client('authority');
    const secondOrder = await newOrder();
    const cases: [string, string, number, string][] = [
      ['an unknown order', evidenceUrl('00000000-0000-4000-8000-000000000000', matchId), 404, 'EVIDENCE.ORDER_NOT_FOUND'],
      ['an order id that is no uuid', evidenceUrl('not-an-id', matchId), 404, 'EVIDENCE.ORDER_NOT_FOUND'],
      ['an unknown attempt', evidenceUrl(order.id, '00000000-0000-4000-8000-000000000000'), 404, 'EVIDENCE.MATCH_NOT_FOUND'],
      ['an attempt of another order', evidenceUrl(secondOrder.id, matchId), 404, 'EVIDENCE.MATCH_NOT_FOUND'],
      ['a bad format', evidenceUrl(order.id, matchId, 'docx'), 400, 'VALIDATION.FAILED'],
    ];
    for (const [what, url, status, code] of cases) {
      const res = await get(url);
      expect([what, res.status, (await res.json()).code]).toEqual([what, status, code]);
    }
    const foreign = await get(evidenceUrl(order.id, matchId), other.apiKey);
    expect([foreign.status, (await foreign.json()).code]).toEqual([404, 'EVIDENCE.ORDER_NOT_FOUND']);
    const asPlatform = await get(evidenceUrl(order.id, matchId), platformClient.apiKey);
    expect(asPlatform.status).toBe(403);
    const anonymous = await fetch(`${base}${evidenceUrl(order.id, matchId)}`);
    expect(anonymous.status).toBe(401);
  });
});
