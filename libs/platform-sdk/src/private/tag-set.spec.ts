import fc from 'fast-check';
import { TagSet } from './tag-set';

const tag = fc.uint8Array({ minLength: 16, maxLength: 16 });
/**
 * A million, as the memory bound is stated; an eighth of it (the same load on power-of-two tables)
 * under mutation testing (scripts/mutation/jest.config.js sets OSTRACON_MUTATION), where this
 * test runs once per mutant.
 */
const MILLION = process.env.OSTRACON_MUTATION === '1' ? 125_000 : 1_000_000;

describe('TagSet, the platform’s copy of its set', () => {
  it('answers as a Map would through any sequence of adds, strength changes and removals, across rehashes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'remove'), fc.nat({ max: 600 }), fc.constantFrom('strong', 'possible' as const)), {
          minLength: 1,
          maxLength: 1500,
        }),
        (ops) => {
          // 16 slots at first: a run of a few hundred adds rehashes several times.
          const set = new TagSet(1);
          const model = new Map<number, 'strong' | 'possible'>();
          const tagOf = (n: number) => {
            const t = new Uint8Array(16);
            // Low bits first: many tags share their first bytes' slots, so probing and tombstones are exercised.
            new DataView(t.buffer).setUint32(0, n % 97);
            new DataView(t.buffer).setUint32(12, n);
            return t;
          };
          // Disagreements are counted, not asserted one by one: thousands of checks per run.
          let wrong = 0;
          for (const [op, n, strength] of ops) {
            if (op === 'add') {
              set.set(tagOf(n), strength);
              model.set(n, strength);
            } else if (set.delete(tagOf(n)) !== model.delete(n)) wrong++;
          }
          for (let n = 0; n <= 600; n++) if (set.get(tagOf(n)) !== model.get(n)) wrong++;
          expect([wrong, set.size]).toEqual([0, model.size]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('finds random tags it holds and not others, and refuses a tag that is not 16 bytes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(tag, { minLength: 1, maxLength: 500, selector: (t) => Buffer.from(t).toString('hex') }),
        tag,
        (tags, other) => {
          const set = new TagSet();
          for (const t of tags) set.set(t, 'strong');
          expect(tags.filter((t) => set.get(t) !== 'strong')).toEqual([]);
          const held = tags.some((t) => Buffer.from(t).equals(Buffer.from(other)));
          expect(set.get(other)).toBe(held ? 'strong' : undefined);
          expect(set.get(new Uint8Array(15))).toBeUndefined();
        },
      ),
      { numRuns: 30 },
    );
  });

  it('holds a million entries in at most 40 bytes each', () => {
    const set = new TagSet();
    const t = new Uint8Array(16);
    const view = new DataView(t.buffer);
    for (let i = 0; i < MILLION; i++) {
      view.setUint32(0, Math.imul(i, 2654435761) >>> 0);
      view.setUint32(4, i);
      set.set(t, 'strong');
    }
    expect(set.size).toBe(MILLION);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(40);
  });

  /** A tag whose home slot is set by its first four bytes (`home`), the rest telling it apart. */
  const tagAt = (home: number, n: number) => {
    const t = new Uint8Array(16);
    new DataView(t.buffer).setUint32(0, home, true);
    new DataView(t.buffer).setUint32(12, n);
    return t;
  };
  const slotsOf = (set: TagSet) => set.byteLength / 17;

  it('sizes its table for the entries it expects: a power of two, at least 16 slots, at most 3/4 full', () => {
    expect([1, 12, 13, 768, 769, 1000, 1024].map((n) => slotsOf(new TagSet(n)))).toEqual([16, 16, 32, 1024, 2048, 2048, 2048]);
  });

  it('grows when one more entry would pass 3/4 of its slots, and only then', () => {
    const set = new TagSet(1);
    for (let n = 0; n < 12; n++) set.set(tagAt(n, n), 'strong');
    expect(slotsOf(set)).toBe(16);
    set.set(tagAt(12, 12), 'strong');
    expect(slotsOf(set)).toBe(32);
  });

  it('reuses the slot of a removed tag, and cleans removed ones out without growing when few are live', () => {
    const set = new TagSet(1);
    for (let n = 0; n < 10; n++) set.set(tagAt(n, n), 'strong');
    set.delete(tagAt(0, 0));
    // Same home as the removed tag: it takes its slot, so 12 slots are still in use after two more.
    set.set(tagAt(0, 100), 'possible');
    set.set(tagAt(10, 10), 'strong');
    set.set(tagAt(11, 11), 'strong');
    expect([slotsOf(set), set.size]).toEqual([16, 12]);
    // Remove all but 5: the next add finds 12 slots used but only 6 live, and rehashes in place.
    for (let n = 6; n < 12; n++) set.delete(tagAt(n, n));
    set.delete(tagAt(0, 100));
    expect(set.size).toBe(5);
    set.set(tagAt(20, 20), 'strong');
    expect([slotsOf(set), set.size]).toEqual([16, 6]);
    // Six live and twelve used: the next add doubles, since 7 would pass half the load.
    for (let n = 21; n < 27; n++) set.set(tagAt(n, n), 'possible');
    expect([slotsOf(set), set.size]).toEqual([16, 12]);
    for (let n = 21; n < 27; n++) set.delete(tagAt(n, n));
    set.set(tagAt(30, 30), 'strong');
    expect([slotsOf(set), set.size]).toEqual([32, 7]);
    expect([1, 2, 3, 4, 5].map((n) => set.get(tagAt(n, n)))).toEqual(['strong', 'strong', 'strong', 'strong', 'strong']);
    expect([set.get(tagAt(0, 100)), set.get(tagAt(20, 20)), set.get(tagAt(30, 30))]).toEqual([undefined, 'strong', 'strong']);
  });

  it('keeps each tag’s strength through a rehash', () => {
    const set = new TagSet(1);
    for (let n = 0; n < 40; n++) set.set(tagAt(n, n), n % 2 ? 'strong' : 'possible');
    expect(slotsOf(set)).toBe(64);
    expect(Array.from({ length: 40 }, (_, n) => set.get(tagAt(n, n)))).toEqual(
      Array.from({ length: 40 }, (_, n) => (n % 2 ? 'strong' : 'possible')),
    );
  });

  it('does not take a longer tag for the 16-byte one it begins with', () => {
    const set = new TagSet();
    const t = tagAt(1, 1);
    set.set(t, 'strong');
    const longer = Uint8Array.from([...t, 0]);
    expect([set.get(longer), set.delete(longer), set.get(t)]).toEqual([undefined, false, 'strong']);
  });

  it('refuses to add a tag that is not 16 bytes', () => {
    expect(() => new TagSet().set(new Uint8Array(15), 'strong')).toThrow(new RangeError('a tag is 16 bytes'));
  });
});
