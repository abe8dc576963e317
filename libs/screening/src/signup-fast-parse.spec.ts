import fc from 'fast-check';
import { signupBatchSchema, signupCheckSchema } from './signup-checks.schemas';
import { fastSignupChecks } from './signup-fast-parse';

const HEX = '0123456789abcdefABCDEF';
const hex64 = fc.string({ unit: fc.constantFrom(...HEX), minLength: 64, maxLength: 64 });
/** Near misses of a prehash: wrong lengths, a character that is not hex, other JSON types. */
const hash = fc.oneof(
  { weight: 60, arbitrary: hex64 },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...HEX), minLength: 62, maxLength: 66 }) },
  { weight: 1, arbitrary: hex64.map((h) => `${h.slice(0, 63)}g`) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(hex64, { maxLength: 1 })) },
);
const type = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom('email', 'phone', 'name_dob', 'device') },
  { weight: 1, arbitrary: fc.string() },
);
/** A signal: mostly `{ type, hash }`, sometimes a missing, extra or raw field. */
const signal = fc.oneof(
  { weight: 60, arbitrary: fc.record({ type, hash }) },
  { weight: 1, arbitrary: fc.record({ type, hash, value: fc.string() }, { requiredKeys: ['type'] }) },
  { weight: 1, arbitrary: fc.record({ type, hash, platform: fc.constant('p1') }, { requiredKeys: ['type', 'hash'] }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.array(fc.integer(), { maxLength: 2 })) },
);
const signals = fc.oneof(
  { weight: 8, arbitrary: fc.array(signal, { minLength: 1, maxLength: 20, size: 'medium' }) },
  { weight: 1, arbitrary: fc.array(signal, { maxLength: 22 }) },
);
/** A ref: mostly ordinary, sometimes empty, over 100 characters, or with a control character. */
const ref = fc.oneof(
  { weight: 30, arbitrary: fc.string({ minLength: 1, maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a'.repeat(101), 'x\u0000y', 'a\u202eb', '\ud800', 7) },
);
const check = fc.oneof(
  { weight: 30, arbitrary: fc.record({ ref, signals }) },
  { weight: 1, arbitrary: fc.record({ ref, signals, extra: fc.integer() }, { requiredKeys: ['signals'] }) },
);

/** What the service would check: the fast parser's result when it gives one, else zod's. */
function agree(body: unknown, batch: boolean): boolean {
  const fast = fastSignupChecks(body, batch);
  if (fast === undefined) return false;
  const zod = batch ? signupBatchSchema.safeParse(body) : signupCheckSchema.safeParse(body);
  expect(zod.success).toBe(true);
  expect(fast).toEqual(batch ? (zod.data as { checks: unknown }).checks : [zod.data]);
  return true;
}

describe('fastSignupChecks', () => {
  it('accepts a body only when zod accepts it, and returns what zod returns (single checks)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 8, arbitrary: fc.record({ signals }) }, { weight: 1, arbitrary: fc.anything() }), (body) => {
        if (agree(JSON.parse(JSON.stringify(body ?? null)), false)) accepted++;
      }),
      { numRuns: 3000 },
    );
    // The generators reach both sides: a parser that accepted nothing would pass the property.
    expect(accepted).toBeGreaterThan(300);
  });

  it('accepts a body only when zod accepts it, and returns what zod returns (batches)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.record({ checks: fc.array(check, { minLength: 0, maxLength: 4, size: 'max' }) }), (body) => {
        if (agree(JSON.parse(JSON.stringify(body)), true)) accepted++;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('leaves to zod every near miss of the prehashed shape', () => {
    const h = 'a'.repeat(64);
    const ok = { type: 'email', hash: h };
    for (const body of [
      { signals: [{ ...ok, hash: h.toUpperCase().slice(0, 63) }] },
      { signals: [{ ...ok, hash: `${h.slice(0, 63)}z` }] },
      { signals: [{ ...ok, hash: '\u0130'.repeat(64) }] },
      { signals: [{ ...ok, country: 'FR' }] },
      { signals: [{ ...ok, platform: 'p1' }] },
      { signals: [{ type: 'email', value: 'a@example.org' }] },
      { signals: [{ ...ok, type: 'ip' }] },
      { signals: [] },
      { signals: Array.from({ length: 21 }, () => ok) },
      { signals: [ok], ref: 'x' },
      { signals: [ok], extra: 1 },
      [{ signals: [ok] }],
      null,
    ]) {
      expect(fastSignupChecks(body, false)).toBeUndefined();
    }
    for (const body of [
      { checks: [] },
      { checks: Array.from({ length: 1001 }, (_, i) => ({ ref: `r${i}`, signals: [ok] })) },
      { checks: [{ signals: [ok] }] },
      { checks: [{ ref: '', signals: [ok] }] },
      { checks: [{ ref: 'a'.repeat(101), signals: [ok] }] },
      { checks: [{ ref: 'a\u0007', signals: [ok] }] },
      { checks: [{ ref: 'a', signals: [ok], x: 1 }] },
      { checks: [{ ref: 'a', signals: [ok] }], x: 1 },
    ]) {
      expect(fastSignupChecks(body, true)).toBeUndefined();
    }
    expect(fastSignupChecks({ signals: [ok, { ...ok, type: 'device', hash: h.toUpperCase() }] }, false)).toHaveLength(1);
    expect(fastSignupChecks({ checks: [{ ref: 'a', signals: [ok] }] }, true)).toEqual([{ ref: 'a', signals: [ok] }]);
  });
});
