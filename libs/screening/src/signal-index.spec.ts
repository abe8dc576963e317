import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type IndexMatch, type IndexedSignal, SignalIndex } from './signal-index';

const digest = (label: string) => createHash('sha256').update(label).digest();
const email = (label: string, keyId = 'k1'): IndexedSignal => ({ type: 'email', keyId, digest: digest(label) });
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29);

function find(index: SignalIndex, label: string, platform: string, at = NOW, keyId = 'k1'): IndexMatch[] {
  const out: IndexMatch[] = [];
  index.lookup(keyId, digest(label), platform, at, out);
  return out;
}

describe('SignalIndex', () => {
  it('matches a held digest for a named platform inside the window, and nothing else', () => {
    const index = new SignalIndex();
    const id = randomUUID();
    index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [
      email('a'),
      { type: 'name_dob', keyId: 'k1', digest: digest('n') },
    ]);
    expect(find(index, 'a', 'tiktok')).toEqual([{ orderId: id, type: 'email', strength: 'strong', endsAt: NOW + DAY }]);
    expect(find(index, 'n', 'tiktok')).toEqual([{ orderId: id, type: 'name_dob', strength: 'possible', endsAt: NOW + DAY }]);
    expect(find(index, 'a', 'instagram')).toEqual([]);
    expect(find(index, 'b', 'tiktok')).toEqual([]);
    expect(find(index, 'a', 'tiktok', NOW - DAY - 1)).toEqual([]);
    expect(find(index, 'a', 'tiktok', NOW - DAY)).toHaveLength(1);
    expect(find(index, 'a', 'tiktok', NOW + DAY)).toEqual([]); // the end is excluded
    expect(find(index, 'a', 'tiktok', NOW, 'k2')).toEqual([]); // another pepper's digest space
  });

  it('finds every order that holds the same signal', () => {
    const index = new SignalIndex();
    const [a, b] = [randomUUID(), randomUUID()];
    index.upsert({ id: a, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('same')]);
    index.upsert({ id: b, startsAt: NOW - DAY, endsAt: NOW + 2 * DAY, platforms: ['tiktok', 'x'] }, [email('same')]);
    expect(
      find(index, 'same', 'tiktok')
        .map((m) => m.orderId)
        .sort(),
    ).toEqual([a, b].sort());
    expect(find(index, 'same', 'x').map((m) => m.orderId)).toEqual([b]);
  });

  it('stops matching a removed order, and a replaced order matches with its new window only', () => {
    const index = new SignalIndex();
    const id = randomUUID();
    index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('a')]);
    index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + 5 * DAY, platforms: ['tiktok'] }, [email('a')]);
    expect(find(index, 'a', 'tiktok')).toEqual([expect.objectContaining({ orderId: id, endsAt: NOW + 5 * DAY })]);
    expect(index.orderCount).toBe(1);
    index.remove(id);
    expect(find(index, 'a', 'tiktok')).toEqual([]);
    expect(index.has(id)).toBe(false);
    expect(index.orderCount).toBe(0);
  });

  it('counts an order once: removing an unknown order, or one already removed, changes nothing', () => {
    const index = new SignalIndex();
    const [kept, gone] = [randomUUID(), randomUUID()];
    index.upsert({ id: kept, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('kept')]);
    index.upsert({ id: gone, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('gone')]);
    index.remove(randomUUID());
    expect(index.orderCount).toBe(2);
    index.remove(gone);
    index.remove(gone);
    expect(index.orderCount).toBe(1);
    expect(index.liveSummary.orders).toBe(1);
    expect(find(index, 'kept', 'tiktok').map((m) => m.orderId)).toEqual([kept]);
  });

  it('revokes an order added long before, after its table of orders has grown (rehashed) twice', () => {
    const index = new SignalIndex();
    // The table of orders starts at 1,024 places and grows (rehashes) past 70 % of them: 1,000 orders, then more.
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    ids.forEach((id, i) => index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email(`o${i}`)]));
    // Every id, the oldest included, is still found after the growth…
    for (const id of ids) expect(index.has(id)).toBe(true);
    // …so revoking the first order takes effect.
    index.remove(ids[0]!);
    expect(index.has(ids[0]!)).toBe(false);
    expect(find(index, 'o0', 'tiktok')).toEqual([]);
    expect(find(index, 'o999', 'tiktok').map((m) => m.orderId)).toEqual([ids[999]]);
    expect(index.orderCount).toBe(999);
    // A replaced order keeps being found after the table grows again.
    index.upsert({ id: ids[5]!, startsAt: NOW - DAY, endsAt: NOW + 3 * DAY, platforms: ['x'] }, [email('o5')]);
    for (let i = 0; i < 500; i++) index.upsert({ id: randomUUID(), startsAt: NOW, endsAt: NOW + DAY, platforms: ['x'] }, [email(`p${i}`)]);
    index.remove(ids[5]!);
    expect(find(index, 'o5', 'x')).toEqual([]);
  });

  it('updates the window and platforms of an order it holds, and refuses one it does not hold', () => {
    const index = new SignalIndex();
    const id = randomUUID();
    index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('a')]);
    expect(index.update({ id, startsAt: NOW - DAY, endsAt: NOW + 9 * DAY, platforms: ['x'] })).toBe(true);
    expect(find(index, 'a', 'tiktok')).toEqual([]);
    expect(find(index, 'a', 'x', NOW + 8 * DAY)).toEqual([expect.objectContaining({ orderId: id, endsAt: NOW + 9 * DAY })]);
    expect(index.update({ id: randomUUID(), startsAt: NOW, endsAt: NOW + DAY, platforms: ['x'] })).toBe(false);
    index.remove(id);
    // A removed order is not brought back by an update: only a full upsert with its signals would.
    expect(index.update({ id, startsAt: NOW - DAY, endsAt: NOW + 9 * DAY, platforms: ['x'] })).toBe(false);
    expect(find(index, 'a', 'x')).toEqual([]);
    expect(index.orderCount).toBe(0);
  });

  it('grows past its initial capacity and keeps every entry findable', () => {
    const index = new SignalIndex(4, 4);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = randomUUID();
      ids.push(id);
      index.upsert({ id, startsAt: 0, endsAt: NOW + DAY, platforms: [`p${i % 7}`] }, [email(`e${i}`), email(`f${i}`, 'k2')]);
    }
    expect(index.size).toBe(10_000);
    expect(index.keyUsage()).toEqual({ k1: 5000, k2: 5000 });
    for (let i = 0; i < 5000; i += 97) {
      expect(find(index, `e${i}`, `p${i % 7}`).map((m) => m.orderId)).toEqual([ids[i]]);
      expect(find(index, `f${i}`, `p${i % 7}`, NOW, 'k2').map((m) => m.orderId)).toEqual([ids[i]]);
      expect(find(index, `e${i}`, `p${(i + 1) % 7}`)).toEqual([]);
    }
  });

  it('answers like a plain map of (digest, platform, time) → orders (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            signals: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 4 }),
            platforms: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }),
            start: fc.integer({ min: 0, max: 10 }),
            length: fc.integer({ min: 1, max: 10 }),
            removed: fc.boolean(),
          }),
          { maxLength: 20 },
        ),
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom('a', 'b', 'c'),
        fc.integer({ min: 0, max: 20 }),
        (orders, signal, platform, at) => {
          const index = new SignalIndex(2, 2);
          const expected: string[] = [];
          for (const o of orders) {
            const id = randomUUID();
            index.upsert(
              { id, startsAt: o.start, endsAt: o.start + o.length, platforms: o.platforms },
              o.signals.map((s) => email(`s${s}`)),
            );
            if (o.removed) index.remove(id);
            else if (o.signals.includes(signal) && o.platforms.includes(platform) && at >= o.start && at < o.start + o.length)
              expected.push(id);
          }
          const found = find(index, `s${signal}`, platform, at).map((m) => m.orderId);
          expect(found.sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a digest that is not 32 bytes and an order id that is not a UUID', () => {
    const index = new SignalIndex();
    expect(() =>
      index.upsert({ id: randomUUID(), startsAt: 0, endsAt: 1, platforms: ['a'] }, [
        { type: 'email', keyId: 'k', digest: new Uint8Array(8) },
      ]),
    ).toThrow('32 bytes');
    expect(() => index.upsert({ id: 'not-a-uuid', startsAt: 0, endsAt: 1, platforms: ['a'] }, [])).toThrow('UUID');
  });
});

describe('SignalIndex memory and table layout', () => {
  it('holds a million signals in at most 40 bytes each, every one still found, under many pepper keys and types', () => {
    const signals = 1_000_000;
    const orders = Math.ceil(signals / 3);
    const index = new SignalIndex(signals, orders);
    const d = Buffer.alloc(32);
    const types = ['email', 'phone', 'name_dob'] as const;
    for (let o = 0; o < orders; o++) {
      const slot = index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
      for (let t = 0; t < 3 && o * 3 + t < signals; t++) {
        d.writeUInt32BE(Math.imul(o * 3 + t, 2654435761) >>> 0, 0);
        d.writeUInt32BE(o * 3 + t, 4);
        index.addSignal(slot, { type: types[t]!, keyId: `k${t}`, digest: d });
      }
    }
    expect(index.size).toBe(signals);
    expect(index.byteLength / signals).toBeLessThanOrEqual(40);
    for (const n of [0, 1, 2, 499_999, 999_999]) {
      d.writeUInt32BE(Math.imul(n, 2654435761) >>> 0, 0);
      d.writeUInt32BE(n, 4);
      const out: IndexMatch[] = [];
      index.lookup(`k${n % 3}`, d, 'tiktok', NOW, out);
      expect(out.map((m) => m.type)).toEqual([types[n % 3]]);
    }
  });

  it('compares the first 16 bytes of a digest: a digest differing there is not a match', () => {
    const index = new SignalIndex();
    const held = Buffer.alloc(32, 7);
    index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [
      { type: 'email', keyId: 'k1', digest: held },
    ]);
    for (const byte of [0, 5, 15]) {
      const other = Buffer.from(held);
      other[byte] = 8;
      const out: IndexMatch[] = [];
      index.lookup('k1', other, 'tiktok', NOW, out);
      expect([byte, out]).toEqual([byte, []]);
    }
    const out: IndexMatch[] = [];
    index.lookup('k1', held, 'tiktok', NOW, out);
    expect(out).toHaveLength(1);
  });

  it('wraps its probes around the end of a table that is not a power of two', () => {
    // Digests whose hash maps to the last slots, more of them than fit before the end.
    const index = new SignalIndex(16, 16);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    ids.forEach((id, i) => {
      const d = Buffer.alloc(32, i + 1);
      d.writeUInt32BE(0xffffffff - i, 0);
      index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [{ type: 'email', keyId: 'k1', digest: d }]);
    });
    ids.forEach((id, i) => {
      const d = Buffer.alloc(32, i + 1);
      d.writeUInt32BE(0xffffffff - i, 0);
      const out: IndexMatch[] = [];
      index.lookup('k1', d, 'tiktok', NOW, out);
      expect(out.map((m) => m.orderId)).toEqual([id]);
    });
  });
});

describe('SignalIndex.liveSummary', () => {
  /** The summary computed from scratch: count, and XOR of the ids' first 8 bytes as two int32. */
  const expected = (ids: Iterable<string>) => {
    let orders = 0;
    let xorHigh = 0;
    let xorLow = 0;
    for (const id of ids) {
      const hex = id.replace(/-/g, '');
      orders++;
      xorHigh ^= parseInt(hex.slice(0, 8), 16) | 0;
      xorLow ^= parseInt(hex.slice(8, 16), 16) | 0;
    }
    return { orders, xorHigh, xorLow };
  };

  it('follows the live orders through additions, replacements and removals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('add', 'remove'), fc.nat(9)), { minLength: 1, maxLength: 60 }), (steps) => {
        const ids = Array.from({ length: 10 }, () => randomUUID());
        const index = new SignalIndex();
        const live = new Set<string>();
        for (const [action, n] of steps) {
          const id = ids[n]!;
          if (action === 'add') {
            index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['p1'] }, [email(`${id}:${live.size}`)]);
            live.add(id);
          } else {
            index.remove(id);
            live.delete(id);
          }
          expect(index.liveSummary).toEqual(expected(live));
        }
      }),
      { numRuns: 300 },
    );
  });
});
