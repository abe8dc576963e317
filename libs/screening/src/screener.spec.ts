import { randomUUID } from 'node:crypto';
import { type SignalInput, normalizeValue, prehash, signalDigest } from '@ostracon/identity';
import { Screener, decide } from './screener';
import { type IndexMatch, SignalIndex } from './signal-index';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2);
const CONTEXT = { defaultCountry: 'FR', today: '2026-12-02', platform: 'tiktok' };
const K1 = { keyId: 'k1', key: Buffer.alloc(32, 1) };
const K2 = { keyId: 'k2', key: Buffer.alloc(32, 2) };

function emailPrehash(raw: string): string {
  const n = normalizeValue('email', raw, CONTEXT);
  if (!n.ok) throw new Error(n.reason);
  return prehash('email', n.normalized);
}

/** An index holding one order that bans these prehashes, each stored under the given pepper. */
function indexOf(bans: { type: SignalInput['type']; prehash: string; pepper: typeof K1 }[], endsAt = NOW + 30 * DAY) {
  const index = new SignalIndex();
  const id = randomUUID();
  index.upsert(
    { id, startsAt: NOW - DAY, endsAt, platforms: ['tiktok'] },
    bans.map((b) => ({ type: b.type, keyId: b.pepper.keyId, digest: signalDigest(b.prehash, b.pepper.key) })),
  );
  return { index, id };
}

describe('Screener', () => {
  const banned = emailPrehash('Banned.Person@Example.org');

  it('blocks a sign-up whose e-mail an order bans, given as its value or as its prehash in either case', () => {
    const { index, id } = indexOf([{ type: 'email', prehash: banned, pepper: K1 }]);
    const screener = new Screener([K1]);
    const expected = { decision: 'block', match: { orderId: id, endsAt: NOW + 30 * DAY, signalTypes: ['email'] }, ignored: [] };
    expect(screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', value: 'banned.person@example.org' }], CONTEXT)).toEqual(expected);
    expect(screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: banned }], CONTEXT)).toEqual(expected);
    expect(screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: banned.toUpperCase() }], CONTEXT)).toEqual(expected);
  });

  it('allows a sign-up nobody banned, with nothing ignored, and answers alike every time', () => {
    const { index } = indexOf([{ type: 'email', prehash: banned, pepper: K1 }]);
    const screener = new Screener([K1]);
    const first = screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', value: 'someone@example.org' }], CONTEXT);
    expect(first).toEqual({ decision: 'allow', ignored: [] });
    expect(screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: emailPrehash('other@example.org') }], CONTEXT)).toEqual(
      first,
    );
    // The first check's matches are not carried into the next.
    screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: banned }], CONTEXT);
    expect(screener.matchSignals(index, 'tiktok', NOW, [], CONTEXT)).toEqual({ decision: 'allow', ignored: [] });
  });

  it('names each signal it could not use, by its place and why, and still checks the others', () => {
    const { index, id } = indexOf([{ type: 'email', prehash: banned, pepper: K1 }]);
    const screener = new Screener([K1]);
    const signals: SignalInput[] = [
      { type: 'email', value: 'not an e-mail' },
      { type: 'email', hash: banned.slice(1) },
      { type: 'email', hash: banned, country: 'FR' },
      { type: 'email', hash: `${banned.slice(2)}zz` },
      { type: 'email', hash: banned, value: 'banned.person@example.org' },
      { type: 'email', hash: banned, platform: 'tiktok' },
      { type: 'email' },
      { type: 'email', hash: banned },
    ];
    expect(screener.matchSignals(index, 'tiktok', NOW, signals, CONTEXT)).toEqual({
      decision: 'block',
      match: { orderId: id, endsAt: NOW + 30 * DAY, signalTypes: ['email'] },
      ignored: [
        { index: 0, reason: 'email_format' },
        { index: 1, reason: 'hash_format' },
        { index: 2, reason: 'field_not_allowed' },
        { index: 3, reason: 'hash_format' },
        { index: 4, reason: 'value_and_hash_given' },
        { index: 5, reason: 'field_not_allowed' },
        { index: 6, reason: 'value_or_hash_required' },
      ],
    });
    expect(screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: 'x' }], CONTEXT)).toEqual({
      decision: 'allow',
      ignored: [{ index: 0, reason: 'hash_format' }],
    });
  });

  it('looks a signal up under every pepper the index holds entries under', () => {
    const { index, id } = indexOf([{ type: 'email', prehash: banned, pepper: K2 }]);
    expect(new Screener([K1, K2]).matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: banned }], CONTEXT).match?.orderId).toBe(id);
  });

  it('skips a pepper it does not hold (a retired key), without calling a good prehash malformed', () => {
    const { index } = indexOf([{ type: 'email', prehash: banned, pepper: K2 }]);
    expect(new Screener([K1]).matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: banned }], CONTEXT)).toEqual({
      decision: 'allow',
      ignored: [],
    });
    expect(new Screener([K1]).matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: 'zz' }], CONTEXT).ignored).toEqual([
      { index: 0, reason: 'hash_format' },
    ]);
  });

  it('still looks a prehash up under the peppers it holds when the index also holds a key it lacks', () => {
    const index = new SignalIndex();
    const retired = randomUUID();
    const current = randomUUID();
    // The retired key's entries come first, so its key id is the first the check meets.
    index.upsert({ id: retired, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [
      { type: 'email', keyId: 'k2', digest: signalDigest(emailPrehash('old@example.org'), K2.key) },
    ]);
    index.upsert({ id: current, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [
      { type: 'email', keyId: 'k1', digest: signalDigest(banned, K1.key) },
    ]);
    expect(index.keyIds).toEqual(['k2', 'k1']);
    expect(new Screener([K1]).matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: banned }], CONTEXT).match?.orderId).toBe(current);
  });

  it('answers the common "allow" with one shared answer that no caller can change', () => {
    const { index } = indexOf([{ type: 'email', prehash: banned, pepper: K1 }]);
    const screener = new Screener([K1]);
    const first = screener.matchSignals(index, 'tiktok', NOW, [{ type: 'email', hash: emailPrehash('a@example.org') }], CONTEXT);
    expect(screener.matchSignals(index, 'tiktok', NOW, [], CONTEXT)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.ignored)).toBe(true);
  });

  it('reads a device of the checking platform', () => {
    const device = normalizeValue('device', 'DEVICE-1', CONTEXT);
    if (!device.ok) throw new Error(device.reason);
    const { index } = indexOf([{ type: 'device', prehash: prehash('device', device.normalized), pepper: K1 }]);
    expect(new Screener([K1]).matchSignals(index, 'tiktok', NOW, [{ type: 'device', value: 'DEVICE-1' }], CONTEXT).decision).toBe('block');
  });
});

describe('decide (docs/screening.md § Decision)', () => {
  const match = (orderId: string, type: IndexMatch['type'], strength: IndexMatch['strength'], endsAt: number): IndexMatch => ({
    orderId,
    type,
    strength,
    endsAt,
  });

  it('allows when nothing matches', () => {
    expect(decide([])).toEqual({ decision: 'allow' });
  });

  it('blocks on a strong match, for the strong match that ends last, even beside a later possible one', () => {
    expect(
      decide([
        match('possible-late', 'name_dob', 'possible', NOW + 90 * DAY),
        match('strong-early', 'email', 'strong', NOW + 10 * DAY),
        match('strong-late', 'phone', 'strong', NOW + 20 * DAY),
        match('strong-late', 'email', 'strong', NOW + 20 * DAY),
        match('strong-late', 'phone', 'strong', NOW + 20 * DAY),
      ]),
    ).toEqual({ decision: 'block', match: { orderId: 'strong-late', endsAt: NOW + 20 * DAY, signalTypes: ['phone', 'email'] } });
  });

  it('asks for review on possible matches alone, for the one that ends last; on a tie, the first found', () => {
    expect(decide([match('a', 'name_dob', 'possible', NOW + DAY), match('b', 'name_dob', 'possible', NOW + 2 * DAY)])).toEqual({
      decision: 'review',
      match: { orderId: 'b', endsAt: NOW + 2 * DAY, signalTypes: ['name_dob'] },
    });
    expect(decide([match('a', 'name_dob', 'possible', NOW + DAY), match('b', 'name_dob', 'possible', NOW + DAY)]).match?.orderId).toBe('a');
  });

  it('names only the deciding order’s signal types', () => {
    expect(decide([match('a', 'email', 'strong', NOW + DAY), match('b', 'phone', 'strong', NOW)]).match?.signalTypes).toEqual(['email']);
  });
});
