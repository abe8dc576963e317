import fc from 'fast-check';
import { prehash } from '@ostracon/platform-sdk/signals';
import { PepperedDigest, isHexPrehash, signalDigest } from './hash';

describe('stored digest', () => {
  it('is HMAC-SHA256 over the 32 raw prehash bytes, different per pepper', () => {
    const p = prehash('email', 'johndoe@gmail.com');
    const a = signalDigest(p, Buffer.alloc(32, 1));
    const b = signalDigest(p, Buffer.alloc(32, 2));
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(signalDigest(p, Buffer.alloc(32, 1)).equals(a)).toBe(true);
  });
});

describe('PepperedDigest', () => {
  it('gives the same bytes as HMAC-SHA256 with createHmac, for any pepper and prehash', () => {
    let longPeppers = 0;
    fc.assert(
      // size 'max': fast-check otherwise keeps arrays short whatever maxLength says, and a pepper
      // longer than SHA-256's 64-byte block (HMAC hashes it first) would never be tried.
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 130, size: 'max' }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (pepper, bytes) => {
          if (pepper.length > 64) longPeppers++;
          const hex = Buffer.from(bytes).toString('hex');
          const digest = new PepperedDigest(Buffer.from(pepper));
          const expected = signalDigest(hex, Buffer.from(pepper));
          expect(digest.ofHex(hex).equals(expected)).toBe(true);
          expect(digest.ofHex(hex.toUpperCase()).equals(expected)).toBe(true);
          expect(digest.ofHex('00'.repeat(32)).equals(expected)).toBe(hex === '00'.repeat(32)); // reused buffer, new value
        },
      ),
      { numRuns: 500 },
    );
    expect(longPeppers).toBeGreaterThan(50);
  });

  it('refuses a prehash that is not 32 bytes of hex', () => {
    const digest = new PepperedDigest(Buffer.alloc(32, 1));
    expect(() => digest.ofHex('ab')).toThrow('32 bytes');
    expect(() => digest.ofHex('zz'.repeat(32))).toThrow('32 bytes');
    // Buffer's hex decoder reads only a character's low byte: U+0130 would pass for '0'.
    expect(digest.ofHexIfValid('\u0130'.repeat(64))).toBeUndefined();
    expect(digest.ofHexIfValid(`${'a'.repeat(63)}\u0a61`)).toBeUndefined();
  });
});

describe('isHexPrehash', () => {
  it('is exactly /^[0-9a-fA-F]{64}$/, whatever the string', () => {
    const HEX64 = /^[0-9a-fA-F]{64}$/;
    const near = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 63, maxLength: 65 }),
      fc
        .tuple(
          fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 63, maxLength: 63 }),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          fc.nat(63),
        )
        .map(([hex, char, at]) => hex.slice(0, at) + char + hex.slice(at)),
      fc.string({ unit: 'binary', minLength: 64, maxLength: 64 }),
    );
    let hex = 0;
    fc.assert(
      fc.property(near, (value) => {
        expect(isHexPrehash(value)).toBe(HEX64.test(value));
        if (HEX64.test(value)) hex++;
      }),
      { numRuns: 3000 },
    );
    expect(hex).toBeGreaterThan(300);
    expect(isHexPrehash('\u0130'.repeat(64))).toBe(false);
  });
});
