import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import { COSIGNATURE_V1, checkpointText, cosignatureLine, parseVerifierKey, verifierKey } from '@ostracon/platform-sdk/transparency';
import { addCheckpoint } from './witness-client';

/** The log's side of add-checkpoint against a witness that answers whatever a test makes it say (a real HTTP server). */
describe('addCheckpoint: what a witness answers, and what the log keeps of it', () => {
  const me = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const name = 'witness.example/w1';
  const verifier = parseVerifierKey(verifierKey(name, me.publicKey, COSIGNATURE_V1));
  const text = checkpointText('ostracon.example/audit-log', 9, Buffer.alloc(32, 9));
  const valid = cosignatureLine(text, name, me.privateKey, me.publicKey, 1_800_000_000);
  let answer: { status: number; body: string | Buffer; type?: string } = { status: 200, body: valid };
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain' }).end(answer.body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  const ask = (a: typeof answer) => {
    answer = a;
    return addCheckpoint({ name, url, verifier }, 'old 0\n\n', text, 2000);
  };

  it('keeps a valid cosignature, rebuilt from what verified, and ignores lines of other keys', async () => {
    const stranger = cosignatureLine(text, 'witness.example/other', other.privateKey, other.publicKey, 1_800_000_000);
    expect(await ask({ status: 200, body: stranger + valid })).toEqual({
      kind: 'cosigned',
      lines: [valid.slice(0, -1)],
      timestamp: 1_800_000_000,
    });
  });

  it('refuses an answer that is not only signature lines, or whose cosignature does not verify, or that has none of the key', async () => {
    for (const body of [`x\n\n${valid}`, `\n\n${valid}`, `${valid}\n${valid}`, 'nothing\n']) {
      expect(await ask({ status: 200, body })).toMatchObject({
        kind: 'failed',
        reason: expect.stringContaining('not a valid cosignature'),
      });
    }
    const otherText = cosignatureLine(
      checkpointText('ostracon.example/audit-log', 8, Buffer.alloc(32, 9)),
      name,
      me.privateKey,
      me.publicKey,
      1_800_000_000,
    );
    expect(await ask({ status: 200, body: otherText })).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('does not verify'),
    });
    const stranger = cosignatureLine(text, 'witness.example/other', other.privateKey, other.publicKey, 1_800_000_000);
    expect(await ask({ status: 200, body: stranger })).toMatchObject({ kind: 'failed', reason: expect.stringContaining('no signature') });
  });

  it('does not read an endless answer', async () => {
    expect(await ask({ status: 200, body: Buffer.alloc(200_000, 0x41) })).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('more than 65536 bytes'),
    });
  });

  it('reads 409 (only as text/x.tlog.size), 422, 403/404/400 and the rest', async () => {
    expect(await ask({ status: 409, body: '42\n', type: 'text/x.tlog.size' })).toEqual({ kind: 'conflict', witnessSize: 42 });
    expect(await ask({ status: 409, body: '42\n' })).toMatchObject({ kind: 'failed' });
    expect(await ask({ status: 409, body: '042\n', type: 'text/x.tlog.size' })).toMatchObject({ kind: 'failed' });
    expect(await ask({ status: 422, body: 'not consistent\n' })).toEqual({ kind: 'refused', status: 422, reason: 'not consistent' });
    for (const status of [400, 403, 404]) expect(await ask({ status, body: 'no\n' })).toMatchObject({ kind: 'rejected', status });
    expect(await ask({ status: 503, body: 'busy\n' })).toMatchObject({ kind: 'failed', reason: 'HTTP 503: busy' });
  });
});
