import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type IndexMatch, type IndexedSignal, SignalIndex } from './signal-index';

const digest = (label: string) => createHash('sha256').update(label).digest();
const email = (label: string, keyId = 'k1'): IndexedSignal => ({ type: 'email', keyId, digest: digest(label) });
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29);
/**
 * A million, as the memory bound is stated; an eighth of it (the same load on power-of-two tables)
 * under mutation testing (scripts/mutation/jest.config.js sets OSTRACON_MUTATION), where this
 * test runs once per mutant.
 */
const MILLION = process.env.OSTRACON_MUTATION === '1' ? 125_000 : 1_000_000;

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
    const wrong = ids.filter((id, i) => {
      const e = find(index, `e${i}`, `p${i % 7}`);
      const f = find(index, `f${i}`, `p${i % 7}`, NOW, 'k2');
      return (
        e.length !== 1 ||
        e[0]!.orderId !== id ||
        f.length !== 1 ||
        f[0]!.orderId !== id ||
        find(index, `e${i}`, `p${(i + 1) % 7}`).length > 0
      );
    });
    expect(wrong).toEqual([]);
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
    for (const id of [`${randomUUID()}0`, `0${randomUUID()}`, randomUUID().replace(/-/g, '')]) {
      expect(() => index.upsert({ id, startsAt: 0, endsAt: 1, platforms: ['a'] }, [])).toThrow('UUID');
    }
  });

  it('adds signals only to an order slot it holds', () => {
    const index = new SignalIndex();
    const slot = index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
    expect(slot).toBe(0);
    for (const bad of [-1, 1]) expect(() => index.addSignal(bad, email('a'))).toThrow('no such order slot');
    index.addSignal(slot, email('a'));
    expect(find(index, 'a', 'tiktok')).toHaveLength(1);
  });

  it('knows only the orders it holds and that are live', () => {
    const index = new SignalIndex();
    const id = randomUUID();
    expect(index.has(id)).toBe(false);
    index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
    expect([index.has(id), index.has(randomUUID())]).toEqual([true, false]);
    index.remove(id);
    expect(index.has(id)).toBe(false);
  });

  it('lists the key ids it holds entries under, and refuses a 65th (its entry word keeps 6 bits for it)', () => {
    const index = new SignalIndex();
    expect(index.keyIds).toEqual([]);
    const slot = index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
    for (let k = 0; k < 64; k++) index.addSignal(slot, email('a', `k${k}`));
    expect(index.keyIds).toHaveLength(64);
    expect(index.keyIds[63]).toBe('k63');
    expect(find(index, 'a', 'tiktok', NOW, 'k63')).toHaveLength(1);
    expect(() => index.addSignal(slot, email('a', 'k64'))).toThrow('more than 64 pepper key ids');
  });

  it('matches a digest only under the key id it was stored under', () => {
    const index = new SignalIndex();
    index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('a', 'k1'), email('b', 'k2')]);
    expect(find(index, 'a', 'tiktok', NOW, 'k2')).toEqual([]);
    expect(find(index, 'b', 'tiktok', NOW, 'k1')).toEqual([]);
    expect(find(index, 'a', 'tiktok', NOW, 'k1')).toHaveLength(1);
  });

  it('finds signals and orders stored past their home slot, behind others that hash alike', () => {
    const index = new SignalIndex();
    // Same first 8 bytes: same home slot and fingerprint; they differ only further on.
    const alike = (last: number) => {
      const d = Buffer.alloc(32, 3);
      d[11] = last;
      return d;
    };
    // Same last four bytes: the same home slot in the order table.
    const ids = ['a', 'b', 'c'].map((c) => `${c.repeat(8)}-0000-4000-8000-00000000cafe`);
    ids.forEach((id, i) =>
      index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [
        { type: 'email', keyId: 'k1', digest: alike(i) },
      ]),
    );
    const match = (d: Buffer) => {
      const out: IndexMatch[] = [];
      index.lookup('k1', d, 'tiktok', NOW, out);
      return out.map((m) => m.orderId);
    };
    expect(ids.map((id, i) => match(alike(i))[0] === id && index.has(id))).toEqual([true, true, true]);
    expect(match(alike(9))).toEqual([]);
    // Replacing and removing the last of them reaches it past the others.
    index.upsert({ id: ids[2]!, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('new')]);
    expect(match(alike(2))).toEqual([]);
    expect(find(index, 'new', 'tiktok').map((m) => m.orderId)).toEqual([ids[2]]);
    index.remove(ids[2]!);
    expect([index.has(ids[2]!), index.has(ids[1]!), index.orderCount]).toEqual([false, true, 2]);
  });

  it('replaces and removes an order whose place in the order table wrapped around its end', () => {
    const index = new SignalIndex();
    // The same last four bytes, all ones: every one of them hashes to the table's last place.
    const ids = ['a', 'b', 'c'].map((c) => `${c.repeat(8)}-0000-4000-8000-0000ffffffff`);
    for (const id of ids) index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email(`old ${id}`)]);
    index.upsert({ id: ids[1]!, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email('new')]);
    expect(find(index, 'new', 'tiktok').map((m) => m.orderId)).toEqual([ids[1]]);
    expect(find(index, `old ${ids[1]}`, 'tiktok')).toEqual([]);
    index.remove(ids[2]!);
    expect(ids.map((id) => index.has(id))).toEqual([true, true, false]);
  });

  it('fills its tables to 70 % before growing them, and grows them as soon as one more would pass it', () => {
    const signals = new SignalIndex(7000, 0);
    const slot = signals.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
    const empty = signals.byteLength;
    for (let i = 0; i < 7000; i++) signals.addSignal(slot, email(`e${i}`));
    // 7,000 entries in their 10,000 places: nothing grew.
    expect(signals.byteLength).toBe(empty);
    signals.addSignal(slot, email('one more'));
    // The entries' arrays grow by half (3,500 × 16 bytes) and the table doubles (10,000 × 4 bytes).
    expect(signals.byteLength - empty).toBe(3500 * (12 + 4) + 10_000 * 4);

    const orders = new SignalIndex(0, 7000);
    const before = orders.byteLength;
    for (let i = 0; i < 7000; i++) orders.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
    expect(orders.byteLength).toBe(before);
  });

  it('finds every order and signal it holds in tables whose size is not a power of two', () => {
    const index = new SignalIndex(3000, 3000);
    const held = Array.from({ length: 3000 }, (_, i) => ({ id: randomUUID(), label: `s${i}` }));
    for (const { id, label } of held) index.upsert({ id, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [email(label)]);
    const missing = held.filter(({ id, label }) => !index.has(id) || find(index, label, 'tiktok')[0]?.orderId !== id);
    expect(missing).toEqual([]);
  });

  it('holds an entry once when adding it grows the table', () => {
    const index = new SignalIndex();
    const slot = index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, []);
    // The 717th entry takes a 1,024-slot table past its load: it is added right after the rehash.
    for (let i = 0; i < 716; i++) index.addSignal(slot, email(`e${i}`));
    const zero = Buffer.alloc(32);
    index.addSignal(slot, { type: 'email', keyId: 'k1', digest: zero });
    const out: IndexMatch[] = [];
    index.lookup('k1', zero, 'tiktok', NOW, out);
    expect(out).toHaveLength(1);
  });

  it('keeps platform sets apart even when their numbers would read alike joined', () => {
    const index = new SignalIndex();
    const platforms = Array.from({ length: 13 }, (_, i) => `p${i}`);
    // Numbered in the order they are first seen: p0 … p12.
    index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms }, []);
    const a = randomUUID();
    const b = randomUUID();
    index.upsert({ id: a, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['p2', 'p1'] }, [email('a')]);
    index.upsert({ id: b, startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['p12'] }, [email('b')]);
    expect([find(index, 'a', 'p1').length, find(index, 'a', 'p2').length, find(index, 'a', 'p12').length]).toEqual([1, 1, 0]);
    expect([find(index, 'b', 'p12').length, find(index, 'b', 'p1').length]).toEqual([1, 0]);
  });
});

describe('SignalIndex memory and table layout', () => {
  it('holds a million signals in at most 40 bytes each, every one still found, under many pepper keys and types', () => {
    const signals = MILLION;
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
    // And it counts every array: at least each entry's digest prefix, word and table slot, and
    // each order's id, window, platform set and table slot.
    expect(index.byteLength).toBeGreaterThanOrEqual(signals * (12 + 4 + 4) + orders * (16 + 8 + 8 + 4 + 4));
    let wrong = 0;
    const out: IndexMatch[] = [];
    for (let n = 0; n < signals; n++) {
      d.writeUInt32BE(Math.imul(n, 2654435761) >>> 0, 0);
      d.writeUInt32BE(n, 4);
      out.length = 0;
      index.lookup(`k${n % 3}`, d, 'tiktok', NOW, out);
      if (out.length !== 1 || out[0]!.type !== types[n % 3]) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('compares the first 12 bytes of a digest: a digest differing there is not a match', () => {
    const index = new SignalIndex();
    const held = Buffer.alloc(32, 7);
    index.upsert({ id: randomUUID(), startsAt: NOW - DAY, endsAt: NOW + DAY, platforms: ['tiktok'] }, [
      { type: 'email', keyId: 'k1', digest: held },
    ]);
    for (const byte of [0, 5, 11]) {
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
