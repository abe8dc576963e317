import fc from 'fast-check';

describe('property test sizes (test/support/fast-check-sizes.ts)', () => {
  it('generates up to the stated maxLength, not fast-check 4’s small default of 10', () => {
    const longest = Math.max(...fc.sample(fc.array(fc.nat(), { maxLength: 1000 }), 200).map((a) => a.length));
    expect(longest).toBeGreaterThan(500);
    expect(Math.max(...fc.sample(fc.string({ maxLength: 300 }), 200).map((s) => s.length))).toBeGreaterThan(150);
  });

  it('keeps the small default where no size is stated', () => {
    expect(Math.max(...fc.sample(fc.array(fc.nat()), 200).map((a) => a.length))).toBeLessThanOrEqual(10);
  });
});
