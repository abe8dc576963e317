import { createHash } from 'node:crypto';
import { SignalIndex, type IndexMatch } from './signal-index';

/** toParts / fromParts: an index made in one thread and served from another (index-builder.ts). */
describe('SignalIndex as parts', () => {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const id = (n: number) => `0190b1e2-0000-7000-8000-${String(n).padStart(12, '0')}`;

  function built(): SignalIndex {
    const index = new SignalIndex(4, 4);
    for (let n = 0; n < 50; n++) {
      index.upsert({ id: id(n), startsAt: 0, endsAt: 1000, platforms: n % 2 ? ['a', 'b'] : ['a'] }, [
        { type: 'email', keyId: 'k1', digest: digest(`e${n}`) },
        { type: 'name_dob', keyId: n < 25 ? 'k1' : 'k2', digest: digest(`n${n}`) },
      ]);
    }
    // A linked account's signal, matched on the platform that reported it only (decision 0026).
    index.upsert({ id: id(60), startsAt: 0, endsAt: 1000, platforms: ['a', 'b'] }, [
      { type: 'email', keyId: 'k1', digest: digest('e60') },
      { type: 'phone', keyId: 'k1', digest: digest('linked60'), platforms: ['b'] },
    ]);
    index.remove(id(7));
    return index;
  }
  const lookup = (index: SignalIndex, keyId: string, value: string, platform: string) => {
    const into: IndexMatch[] = [];
    index.lookup(keyId, digest(value), platform, 500, into);
    return into;
  };

  it('moves the arrays without copying them, and the index it makes answers as the original did', () => {
    const original = built();
    const expected = {
      summary: original.liveSummary,
      size: original.size,
      orders: original.orderCount,
      bytes: original.byteLength,
      keys: original.keyUsage(),
      hits: [lookup(original, 'k1', 'e3', 'b'), lookup(original, 'k2', 'n30', 'a'), lookup(original, 'k1', 'e4', 'b')],
    };
    const { parts, transfer } = original.toParts();
    // What postMessage does between threads: the buffers change hands, the rest is cloned.
    const moved = structuredClone(parts, { transfer });
    expect(transfer.every((buffer) => buffer.byteLength === 0)).toBe(true); // detached here: moved, not copied
    const index = SignalIndex.fromParts(moved);

    expect(index.liveSummary).toEqual(expected.summary);
    expect([index.size, index.orderCount, index.byteLength]).toEqual([expected.size, expected.orders, expected.bytes]);
    expect(index.keyUsage()).toEqual(expected.keys);
    expect([lookup(index, 'k1', 'e3', 'b'), lookup(index, 'k2', 'n30', 'a'), lookup(index, 'k1', 'e4', 'b')]).toEqual(expected.hits);
    expect(expected.hits[0]).toHaveLength(1);
    expect(expected.hits[2]).toEqual([]); // order 4 names platform a only
    expect(lookup(index, 'k1', 'e7', 'a')).toEqual([]); // removed before the move
    // The platform-scoped signal keeps its own platform through the move.
    expect(lookup(index, 'k1', 'linked60', 'b')).toHaveLength(1);
    expect(lookup(index, 'k1', 'linked60', 'a')).toEqual([]);
    expect(lookup(index, 'k1', 'e60', 'a')).toHaveLength(1);
    expect(index.has(id(7))).toBe(false);

    // It goes on as an index: updates, new platform sets and keys, growth past its arrays.
    index.upsert({ id: id(3), startsAt: 0, endsAt: 2000, platforms: ['c'] }, [{ type: 'email', keyId: 'k3', digest: digest('new3') }]);
    for (let n = 100; n < 200; n++)
      index.upsert({ id: id(n), startsAt: 0, endsAt: 1000, platforms: ['a', 'b'] }, [
        { type: 'phone', keyId: 'k1', digest: digest(`p${n}`) },
      ]);
    expect(lookup(index, 'k1', 'e3', 'b')).toEqual([]);
    expect(lookup(index, 'k3', 'new3', 'c')).toEqual([expect.objectContaining({ orderId: id(3), type: 'email', endsAt: 2000 })]);
    expect(lookup(index, 'k1', 'p150', 'b')).toEqual([expect.objectContaining({ orderId: id(150), type: 'phone' })]);
    expect(lookup(index, 'k1', 'e9', 'b')).toEqual([expect.objectContaining({ orderId: id(9) })]);
  });
});
