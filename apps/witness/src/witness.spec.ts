import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COSIGNATURE_V1,
  EMPTY_ROOT,
  MemoryTree,
  checkpointText,
  consistencyProof,
  leafHash,
  parseVerifierKey,
  signNote,
  verifierKey,
  verifyCheckpointNote,
} from '@ostracon/platform-sdk/transparency';
import { WitnessState } from './state';
import { type Refusal, Witness, parseRequest } from './witness';

const ORIGIN = 'ostracon.example/audit-log';
const log = generateKeyPairSync('ed25519');
const me = { name: 'witness.example/w1', ...generateKeyPairSync('ed25519') };
const LOG_KEY = verifierKey(ORIGIN, log.publicKey);
const MY_KEY = verifierKey(me.name, me.publicKey, COSIGNATURE_V1);

/** A log: a tree of leaves, its signed notes, and add-checkpoint bodies from any size to any size. */
class Log {
  readonly tree = new MemoryTree();
  constructor(
    private readonly tag: string,
    private readonly key = log,
    private readonly origin = ORIGIN,
  ) {}
  grow(n: number): this {
    for (let i = 0; i < n; i++) this.tree.append(leafHash(Buffer.from(`${this.tag}:${this.tree.size}`)));
    return this;
  }
  note(size = this.tree.size): string {
    return signNote(
      checkpointText(this.origin, size, size === 0 ? EMPTY_ROOT : this.tree.root(size)),
      this.origin,
      this.key.privateKey,
      this.key.publicKey,
    );
  }
  body(old: number, size = this.tree.size, note = this.note(size)): string {
    const proof = old === 0 || old === size ? [] : consistencyProof(this.tree, old, size);
    return `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;
  }
}

function witness(dir = mkdtempSync(join(tmpdir(), 'witness-'))) {
  const refusals: Refusal[] = [];
  const w = new Witness(
    me,
    new Map([[ORIGIN, [parseVerifierKey(LOG_KEY)]]]),
    new WitnessState(dir),
    (r) => refusals.push(r),
    () => 1_800_000_000,
  );
  return { w, dir, refusals };
}

const policy = { log: LOG_KEY, witnesses: [MY_KEY], quorum: 1 };

describe('the witness (c2sp.org/tlog-witness add-checkpoint)', () => {
  it('cosigns a first checkpoint from 0, then the next with a consistency proof; the cosignatures verify', async () => {
    const { w } = witness();
    const l = new Log('a').grow(5);
    const first = await w.addCheckpoint(l.body(0));
    expect(first.status).toBe(200);
    expect(verifyCheckpointNote(l.note() + first.body, policy).witnessedBy).toEqual([{ name: me.name, timestamp: 1_800_000_000 }]);
    l.grow(8);
    const second = await w.addCheckpoint(l.body(5));
    expect(second.status).toBe(200);
    expect(verifyCheckpointNote(l.note() + second.body, policy).size).toBe(13);
  });

  it('answers 409 with the size it cosigned when the old size is not it (text/x.tlog.size)', async () => {
    const { w } = witness();
    const l = new Log('a').grow(5);
    await w.addCheckpoint(l.body(0));
    l.grow(3);
    expect(await w.addCheckpoint(l.body(0))).toEqual({ status: 409, contentType: 'text/x.tlog.size', body: '5\n' });
    expect(await w.addCheckpoint(l.body(3))).toMatchObject({ status: 409, body: '5\n' });
  });

  it('refuses a fork of the history it cosigned (a split view) with 422, and reports it', async () => {
    const { w, refusals } = witness();
    const honest = new Log('a').grow(6);
    expect((await w.addCheckpoint(honest.body(0))).status).toBe(200);
    // The same first 4 leaves, then others: signed with the log's own key.
    const fork = new Log('a').grow(4);
    fork.tree.append(leafHash(Buffer.from('forged')));
    fork.grow(5);
    const forged = fork.body(6); // a proof from the fork's own size 6, which is not the honest one
    const answer = await w.addCheckpoint(forged);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatch(/not consistent/);
    expect(refusals).toEqual([
      {
        origin: ORIGIN,
        reason: expect.stringMatching(/not consistent/),
        cosigned: expect.stringContaining(`${ORIGIN}\n6\n`),
        request: forged,
      },
    ]);
    // Same size, another root: two histories.
    const sameSize = new Log('b').grow(6);
    expect(await w.addCheckpoint(sameSize.body(6))).toMatchObject({ status: 422, body: expect.stringMatching(/two histories/) });
    expect(refusals).toHaveLength(2);
    // The honest log goes on.
    honest.grow(2);
    expect((await w.addCheckpoint(honest.body(6))).status).toBe(200);
  });

  it('refuses a tampered note or one signed by another key (403), another origin (404), an old size above the new (400)', async () => {
    const { w, refusals } = witness();
    const l = new Log('a').grow(5);
    const tampered = l.body(0).replace(`${ORIGIN}\n5\n`, `${ORIGIN}\n4\n`);
    expect(await w.addCheckpoint(tampered)).toMatchObject({ status: 403, body: expect.stringMatching(/does not verify/) });
    const stranger = new Log('a', generateKeyPairSync('ed25519')).grow(5);
    expect(await w.addCheckpoint(stranger.body(0))).toMatchObject({
      status: 403,
      body: expect.stringMatching(/no signature of the log's key/),
    });
    const elsewhere = new Log('a', log, 'elsewhere.example/log').grow(5);
    expect((await w.addCheckpoint(elsewhere.body(0))).status).toBe(404);
    expect(await w.addCheckpoint(`old 6\n\n${l.note()}`)).toMatchObject({ status: 400, body: expect.stringMatching(/larger than/) });
    expect(refusals).toEqual([]);
  });

  it('refuses a wrong empty tree, and a proof from size 0 (422)', async () => {
    const { w } = witness();
    const badEmpty = signNote(checkpointText(ORIGIN, 0, Buffer.alloc(32, 1)), ORIGIN, log.privateKey, log.publicKey);
    expect((await w.addCheckpoint(`old 0\n\n${badEmpty}`)).status).toBe(422);
    const l = new Log('a').grow(5);
    expect((await w.addCheckpoint(`old 0\n${Buffer.alloc(32).toString('base64')}\n\n${l.note()}`)).status).toBe(422);
  });

  it('reads malformed requests as 400, never as a crash', async () => {
    const { w } = witness();
    const l = new Log('a').grow(3);
    for (const body of [
      '',
      'old\n\n',
      'old 01\n\n' + l.note(),
      'old -1\n\n',
      `old 0\nnot base64!\n\n${l.note()}`,
      `old 0\n${l.note()}`,
      'old 0\n\nno note',
    ]) {
      expect((await w.addCheckpoint(body)).status).toBe(400);
    }
    expect(parseRequest(`old 0\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n`)).toEqual({ error: 'at most 63 proof lines' });
  });

  it('keeps its state on disk: a new process on the same directory resumes where the last one was', async () => {
    const first = witness();
    const l = new Log('a').grow(7);
    await first.w.addCheckpoint(l.body(0));
    const stored = readFileSync(join(first.dir, `${createHash('sha256').update(ORIGIN).digest('hex')}.checkpoint`), 'utf8');
    expect(verifyCheckpointNote(stored, policy).size).toBe(7);
    const restarted = witness(first.dir);
    l.grow(1);
    expect(await restarted.w.addCheckpoint(l.body(0))).toMatchObject({ status: 409, body: '7\n' });
    expect((await restarted.w.addCheckpoint(l.body(7))).status).toBe(200);
    expect((await restarted.w.latest(createHash('sha256').update(ORIGIN).digest('hex'))).body).toContain(`${ORIGIN}\n8\n`);
  });

  it('checks and updates atomically: of two requests from the same old size, one is cosigned, the other told 409', async () => {
    const { w } = witness();
    const l = new Log('a').grow(4);
    await w.addCheckpoint(l.body(0));
    l.grow(4);
    const [a, b] = await Promise.all([w.addCheckpoint(l.body(4, 6)), w.addCheckpoint(l.body(4, 8))]);
    expect([a.status, b.status]).toEqual([200, 409]);
    expect(b.body).toBe('6\n');
  });

  it('keeps and publishes only the log’s verified lines and its own; a replay of what it holds is cosigned without a write', async () => {
    const { w, dir } = witness();
    const l = new Log('a').grow(4);
    const stranger = generateKeyPairSync('ed25519');
    const text = checkpointText(ORIGIN, 4, l.tree.root(4));
    const padded = l.body(0) + signNote(text, 'witness.example/w2', stranger.privateKey, stranger.publicKey).slice(text.length + 1);
    expect((await w.addCheckpoint(padded)).status).toBe(200);
    const file = join(dir, `${createHash('sha256').update(ORIGIN).digest('hex')}.checkpoint`);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain('witness.example/w2');
    expect(stored.split('\n').filter((line) => line.startsWith('— '))).toHaveLength(2);
    const mtime = statSync(file).mtimeMs;
    const again = await w.addCheckpoint(l.body(4));
    expect(again.status).toBe(200);
    expect(verifyCheckpointNote(l.note() + again.body, policy).size).toBe(4);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('refuses a second process on the same state directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'witness-'));
    // Another live process holds it (here the parent, as a stand-in).
    writeFileSync(join(dir, 'witness.lock'), `${process.ppid}\n`);
    expect(() => new WitnessState(dir).lock()).toThrow(`held by process ${process.ppid}`);
    // A lock of a process that is gone, or of this pid's earlier life, is taken over.
    writeFileSync(join(dir, 'witness.lock'), `${process.pid}\n`);
    new WitnessState(dir).lock();
    expect(readFileSync(join(dir, 'witness.lock'), 'utf8')).toBe(`${process.pid}\n`);
  });
});
