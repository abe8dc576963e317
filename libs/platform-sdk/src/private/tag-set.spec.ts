import fc from 'fast-check';
import { TagSet } from './tag-set';

const tag = fc.uint8Array({ minLength: 16, maxLength: 16 });

describe('TagSet, the platform’s copy of its set', () => {
  it('answers as a Map would through any sequence of adds, strength changes and removals, across rehashes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'remove'), fc.nat({ max: 3000 }), fc.constantFrom('strong', 'possible' as const)), {
          minLength: 1,
          maxLength: 4000,
        }),
        (ops) => {
          const set = new TagSet(1);
          const model = new Map<string, 'strong' | 'possible'>();
          const tagOf = (n: number) => {
            const t = new Uint8Array(16);
            // Low bits first: many tags share their first bytes' slots, so probing and tombstones are exercised.
            new DataView(t.buffer).setUint32(0, n % 97);
            new DataView(t.buffer).setUint32(12, n);
            return t;
          };
          for (const [op, n, strength] of ops) {
            const t = tagOf(n);
            const key = Buffer.from(t).toString('hex');
            if (op === 'add') {
              set.set(t, strength);
              model.set(key, strength);
            } else {
              expect(set.delete(t)).toBe(model.delete(key));
            }
          }
          expect(set.size).toBe(model.size);
          for (let n = 0; n <= 3000; n++) expect(set.get(tagOf(n))).toBe(model.get(Buffer.from(tagOf(n)).toString('hex')));
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
          for (const t of tags) expect(set.get(t)).toBe('strong');
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
    for (let i = 0; i < 1_000_000; i++) {
      view.setUint32(0, Math.imul(i, 2654435761) >>> 0);
      view.setUint32(4, i);
      set.set(t, 'strong');
    }
    expect(set.size).toBe(1_000_000);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(40);
  });
});
