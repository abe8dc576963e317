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
});
