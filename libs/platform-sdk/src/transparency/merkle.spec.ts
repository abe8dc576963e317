import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MemoryTree,
  appendLeaves,
  consistencyProof,
  frontierOf,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  subtreesNeeded,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// The Certificate Transparency test vectors (RFC 6962 reference implementation's tests).
const CT_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, audit path]
const CT_INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
// [first size, second size, consistency proof]
const CT_CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');
const CT_LEAVES = CT_INPUTS.map((i) => leafHash(unhex(i)));

/**
 * An independent reference, straight from RFC 9162 § 2.1 over the list of leaf hashes (no
 * subtree store, no shared code but SHA-256): MTH, PATH and PROOF as the RFC writes them.
 */
const ref = {
  sha: (...parts: Uint8Array[]) => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest();
  },
  k: (n: number) => 2 ** Math.ceil(Math.log2(n) - 1),
  mth(d: Buffer[]): Buffer {
    if (d.length === 0) return ref.sha();
    if (d.length === 1) return d[0]!;
    const k = ref.k(d.length);
    return ref.sha(Buffer.from([1]), ref.mth(d.slice(0, k)), ref.mth(d.slice(k)));
  },
  path(m: number, d: Buffer[]): Buffer[] {
    if (d.length === 1) return [];
    const k = ref.k(d.length);
    return m < k ? [...ref.path(m, d.slice(0, k)), ref.mth(d.slice(k))] : [...ref.path(m - k, d.slice(k)), ref.mth(d.slice(0, k))];
  },
  subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
    const n = d.length;
    if (m === n) return b ? [] : [ref.mth(d)];
    const k = ref.k(n);
    return m <= k
      ? [...ref.subproof(m, d.slice(0, k), b), ref.mth(d.slice(k))]
      : [...ref.subproof(m - k, d.slice(k), false), ref.mth(d.slice(0, k))];
  },
};

describe('Merkle tree (RFC 9162)', () => {
  const tree = new MemoryTree(CT_LEAVES);

  it('gives the CT reference roots for every size from 0 to 8', () => {
    expect(hex(EMPTY_ROOT)).toBe(CT_ROOTS[0]);
    for (let n = 0; n <= 8; n++) expect([n, hex(rootHash(tree, n))]).toEqual([n, CT_ROOTS[n]]);
  });

  it.each(CT_INCLUSION)('gives and verifies the CT inclusion proof of leaf %i in a tree of %i', (index, size, expected) => {
    const proof = inclusionProof(tree, index, size);
    expect(proof.map(hex)).toEqual(expected);
    expect(verifyInclusion(CT_LEAVES[index]!, index, size, proof, unhex(CT_ROOTS[size]!))).toBe(true);
    expect(verifyInclusion(CT_LEAVES[index]!, index, size, proof, unhex(CT_ROOTS[size - 1]!))).toBe(false);
  });

  it.each(CT_CONSISTENCY)('gives and verifies the CT consistency proof from %i to %i', (from, to, expected) => {
    const proof = consistencyProof(tree, from, to);
    expect(proof.map(hex)).toEqual(expected);
    expect(verifyConsistency(from, to, unhex(CT_ROOTS[from]!), unhex(CT_ROOTS[to]!), proof)).toBe(true);
  });

  it('agrees with the RFC reference for every leaf and size pair up to 40 leaves, and proofs verify', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from([i, i * 3])));
    const t = new MemoryTree(leaves);
    for (let n = 1; n <= leaves.length; n++) {
      const root = ref.mth(leaves.slice(0, n));
      expect(rootHash(t, n).equals(root)).toBe(true);
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(t, m, n);
        expect(proof.map(hex)).toEqual(ref.path(m, leaves.slice(0, n)).map(hex));
        expect(verifyInclusion(leaves[m]!, m, n, proof, root)).toBe(true);
      }
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(t, m, n);
        expect(proof.map(hex)).toEqual(ref.subproof(m, leaves.slice(0, n), true).map(hex));
        expect(verifyConsistency(m, n, ref.mth(leaves.slice(0, m)), root, proof)).toBe(true);
      }
    }
  });

  it('rejects altered leaves, proofs, indexes and roots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 70 }), fc.nat(), fc.nat(), fc.nat({ max: 31 }), (size, a, b, bit) => {
        const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
        const t = new MemoryTree(leaves);
        const index = a % size;
        const root = t.root();
        const proof = inclusionProof(t, index, size);
        expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
        const flipped = Buffer.from(leaves[index]!);
        flipped[bit]! ^= 1;
        expect(verifyInclusion(flipped, index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaves[index]!, (index + 1) % size, size, proof, root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaves[index]!, index, size, proof.slice(1), root)).toBe(false);
        const from = 1 + (b % (size - 1));
        const cproof = consistencyProof(t, from, size);
        expect(verifyConsistency(from, size, t.root(from), root, cproof)).toBe(true);
        const other = new MemoryTree(leaves.map((l, i) => (i === from - 1 ? flipped : l)));
        expect(verifyConsistency(from, size, other.root(from), root, cproof)).toBe(false);
        expect(verifyConsistency(from, size, t.root(from), other.root(size), cproof)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a proof that stops early at an inner node: a smaller tree passed off as a larger one', () => {
    const eight = new MemoryTree(CT_LEAVES.slice(0, 8).map((l) => Buffer.from(l)));
    const half = eight.subtree(2, 0); // the root of leaves 0..3, an inner node of the tree of 8
    const proof = inclusionProof(eight, 0, 8);
    expect(proof).toHaveLength(3);
    // Honest: two hashes lead leaf 0 to the root of the tree of 4.
    expect(verifyInclusion(CT_LEAVES[0]!, 0, 4, proof.slice(0, 2), half)).toBe(true);
    // The same two hashes claimed for the tree of 8, with that inner node as its root: refused.
    expect(verifyInclusion(CT_LEAVES[0]!, 0, 8, proof.slice(0, 2), half)).toBe(false);
    // Likewise a consistency proof of 2 → 4 claimed for 2 → 8.
    const twoToFour = consistencyProof(eight, 2, 4);
    expect(verifyConsistency(2, 4, eight.root(2), half, twoToFour)).toBe(true);
    expect(verifyConsistency(2, 8, eight.root(2), half, twoToFour)).toBe(false);
    // And one hash too many is refused as well.
    expect(verifyInclusion(CT_LEAVES[0]!, 0, 8, [...proof, proof[0]!], eight.root())).toBe(false);
  });

  it('tells a store which subtrees a proof needs, few of them even at a million leaves', () => {
    const size = 1_000_003;
    const needed = subtreesNeeded((src) => inclusionProof(src, 123_456, size));
    expect(needed.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)));
    const consistency = subtreesNeeded((src) => consistencyProof(src, 777_777, size));
    expect(consistency.length).toBeLessThanOrEqual(4 * Math.ceil(Math.log2(size)));
    // Each is a complete subtree: its leaves all lie inside the tree.
    for (const { level, index } of [...needed, ...consistency]) expect((index + 1) * 2 ** level).toBeLessThanOrEqual(size);
  });

  it('refuses impossible requests, each for its own reason', () => {
    expect(() => inclusionProof(tree, 8, 8)).toThrow(new RangeError('leaf index outside the tree'));
    expect(() => inclusionProof(tree, -1, 8)).toThrow(new RangeError('leaf index outside the tree'));
    expect(() => inclusionProof(tree, 0.5, 8)).toThrow(new RangeError('leaf index outside the tree'));
    expect(() => inclusionProof(tree, 0, 2.5)).toThrow(new RangeError('tree size must be a whole number'));
    expect(() => consistencyProof(tree, 0, 8)).toThrow(new RangeError('consistency needs 1 ≤ from ≤ to'));
    expect(() => consistencyProof(tree, 9, 8)).toThrow(new RangeError('consistency needs 1 ≤ from ≤ to'));
    expect(() => consistencyProof(tree, 1.5, 8)).toThrow(new RangeError('consistency needs 1 ≤ from ≤ to'));
    expect(() => consistencyProof(tree, 1, -1)).toThrow(new RangeError('tree size must be a whole number'));
    expect(() => rootHash(tree, -1)).toThrow(new RangeError('tree size must be a whole number'));
    expect(() => rootHash(tree, 1.5)).toThrow(new RangeError('tree size must be a whole number'));
    expect(verifyConsistency(3, 3, unhex(CT_ROOTS[3]!), unhex(CT_ROOTS[3]!), [])).toBe(true);
    expect(verifyConsistency(3, 3, unhex(CT_ROOTS[3]!), unhex(CT_ROOTS[4]!), [])).toBe(false);
    expect(verifyInclusion(CT_LEAVES[0]!, 0, 0, [], EMPTY_ROOT)).toBe(false);
  });

  it('refuses a leaf index or a size that cannot be, whatever the proof', () => {
    const eight = new MemoryTree(CT_LEAVES.slice(0, 8).map((l) => Buffer.from(l)));
    const root = eight.root();
    const proof = inclusionProof(eight, 3, 8);
    expect(verifyInclusion(CT_LEAVES[3]!, 3, 8, proof, root)).toBe(true);
    for (const [index, size] of [
      [8, 8],
      [9, 8],
      [-1, 8],
      [2.5, 8],
      [3, 8.5],
      [3, Number.NaN],
    ] as const) {
      expect([index, size, verifyInclusion(CT_LEAVES[3]!, index, size, proof, root)]).toEqual([index, size, false]);
    }
    const fromThree = consistencyProof(eight, 3, 8);
    expect(verifyConsistency(3, 8, eight.root(3), root, fromThree)).toBe(true);
    for (const [from, to] of [
      [0, 8],
      [9, 8],
      [-3, 8],
      [2.5, 8],
      [3, 8.5],
    ] as const) {
      expect([from, to, verifyConsistency(from, to, eight.root(3), root, fromThree)]).toEqual([from, to, false]);
    }
    // Same size: the same root and no proof, nothing else.
    expect(verifyConsistency(8, 8, root, root, [])).toBe(true);
    expect(verifyConsistency(8, 8, root, root, [root])).toBe(false);
  });

  it('compares roots byte for byte and by length: a root with a byte more or less is another root', () => {
    const eight = new MemoryTree(CT_LEAVES.slice(0, 8).map((l) => Buffer.from(l)));
    const root = eight.root();
    const longer = Buffer.concat([root, Buffer.from([0])]);
    const shorter = root.subarray(0, 31);
    const inclusion = inclusionProof(eight, 3, 8);
    expect(verifyInclusion(CT_LEAVES[3]!, 3, 8, inclusion, root)).toBe(true);
    expect(verifyInclusion(CT_LEAVES[3]!, 3, 8, inclusion, longer)).toBe(false);
    expect(verifyInclusion(CT_LEAVES[3]!, 3, 8, inclusion, shorter)).toBe(false);
    const consistency = consistencyProof(eight, 3, 8);
    expect(verifyConsistency(3, 8, eight.root(3), longer, consistency)).toBe(false);
    expect(verifyConsistency(3, 8, Buffer.concat([eight.root(3), Buffer.from([0])]), root, consistency)).toBe(false);
    expect(verifyConsistency(8, 8, root, longer, [])).toBe(false);
    expect(verifyConsistency(8, 8, longer, root, [])).toBe(false);
  });

  it('says which complete subtree a memory tree lacks instead of inventing one', () => {
    const three = new MemoryTree(CT_LEAVES.slice(0, 3).map((l) => Buffer.from(l)));
    expect(three.subtree(1, 0)).toEqual(nodeHash(CT_LEAVES[0]!, CT_LEAVES[1]!));
    expect(() => three.subtree(1, 1)).toThrow(new RangeError('no complete subtree at level 1, index 1'));
    expect(() => three.subtree(5, 0)).toThrow(new RangeError('no complete subtree at level 5, index 0'));
  });

  it('appends from the frontier alone exactly the subtrees a whole tree holds (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        (start, chunks) => {
          const leaves = Array.from({ length: start + chunks.reduce((a, b) => a + b, 0) }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
          const whole = new MemoryTree(leaves);
          const stored = new Map<string, Buffer>();
          // The first `start` leaves as a store would hold them: every complete subtree.
          const prefix = new MemoryTree(leaves.slice(0, start));
          for (let level = 0; 2 ** level <= start; level++) {
            for (let index = 0; (index + 1) * 2 ** level <= start; index++) stored.set(`${level}:${index}`, prefix.subtree(level, index));
          }
          let size = start;
          for (const chunk of chunks) {
            // Only the frontier is read, as AuditTreeService.extend does.
            const frontier = new Map(frontierOf(size).map(({ level, index }) => [`${level}:${index}`, stored.get(`${level}:${index}`)!]));
            expect([...frontier.values()].every(Boolean)).toBe(true);
            for (const c of appendLeaves(size, frontier, leaves.slice(size, size + chunk))) {
              expect(c.hash.equals(whole.subtree(c.level, c.index))).toBe(true);
              stored.set(`${c.level}:${c.index}`, c.hash);
            }
            size += chunk;
          }
          // Every complete subtree of the whole tree was produced, and nothing else.
          let complete = 0;
          for (let level = 0; 2 ** level <= size; level++) complete += Math.floor(size / 2 ** level);
          expect(stored.size).toBe(complete);
          expect(rootHash({ subtree: (level, index) => stored.get(`${level}:${index}`)! }, size).equals(whole.root())).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
    expect(frontierOf(0)).toEqual([]);
    expect(frontierOf(6)).toEqual([
      { level: 1, index: 2 },
      { level: 2, index: 0 },
    ]);
    expect(() => appendLeaves(6, new Map(), [leafHash(Buffer.from('x')), leafHash(Buffer.from('y'))])).toThrow(
      'frontier is missing subtree 1:2',
    );
  });
});

describe('verifiers on the edge of their inputs', () => {
  const leaf = leafHash(Buffer.from('only'));
  const other = leafHash(Buffer.from('other'));

  it('refuses an index that is not a whole number below the size, even where the arithmetic would agree', () => {
    // A one-leaf tree's root is its leaf: with an empty proof these would all "verify".
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 1, 1, [], leaf)).toBe(false);
    expect(verifyInclusion(leaf, 0.5, 1, [], leaf)).toBe(false);
    // A size of 1.5 would walk as if the tree had two leaves.
    expect(verifyInclusion(leaf, 0, 1.5, [other], nodeHash(leaf, other))).toBe(false);
    expect(verifyInclusion(leaf, 0, 2, [other], nodeHash(leaf, other))).toBe(true);
  });

  it('refuses a negative index, though the walk would lead to the root of the leaf at 0', () => {
    const p = leafHash(Buffer.from('p'));
    expect(verifyInclusion(leaf, 0, 2, [p], nodeHash(leaf, p))).toBe(true);
    expect(verifyInclusion(leaf, -1, 2, [p], nodeHash(leaf, p))).toBe(false);
  });

  it('refuses a consistency proof from size 0, or to a smaller size, though the walk would agree', () => {
    expect(verifyConsistency(0, 1, leaf, leaf, [leaf])).toBe(false);
    expect(verifyConsistency(2, 1, leaf, leaf, [])).toBe(false);
  });

  it('refuses a consistency proof from a size that is not a whole number', () => {
    const tree = new MemoryTree(Array.from({ length: 8 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`))));
    const proof = consistencyProof(tree, 2, 4);
    expect(verifyConsistency(2, 4, tree.root(2), tree.root(4), proof)).toBe(true);
    for (const [from, to] of [
      [2.5, 4],
      [2, 4.5],
    ] as const) {
      expect(verifyConsistency(from, to, tree.root(2), tree.root(4), proof)).toBe(false);
    }
  });

  it('refuses a fractional old size that the arithmetic would let through', () => {
    // From 1.5 to 2, the walk takes [X, Y] as "old root X, new root H(X, Y)".
    const x = leafHash(Buffer.from('x'));
    const y = leafHash(Buffer.from('y'));
    expect(verifyConsistency(1.5, 2, x, nodeHash(x, y), [x, y])).toBe(false);
  });

  it('refuses a proof with a hash more than the path needs', () => {
    const tree = new MemoryTree(Array.from({ length: 8 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`))));
    const extra = leafHash(Buffer.from('extra'));
    expect(verifyConsistency(3, 8, tree.root(3), tree.root(8), [...consistencyProof(tree, 3, 8), extra])).toBe(false);
    expect(verifyInclusion(tree.subtree(0, 5), 5, 8, [...inclusionProof(tree, 5, 8), extra], tree.root(8))).toBe(false);
  });

  it('refuses hashes past the root even when the root given is made from them', () => {
    const p = leafHash(Buffer.from('p'));
    // A one-leaf tree's proof is empty: one more hash is refused, whatever root comes with it.
    expect(verifyInclusion(leaf, 0, 1, [p], nodeHash(p, leaf))).toBe(false);
    // From 3 to 4: the honest proof has three hashes; a fourth, with both roots made to fit, is refused.
    const tree = new MemoryTree(Array.from({ length: 4 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`))));
    const proof = consistencyProof(tree, 3, 4);
    expect(proof).toHaveLength(3);
    const [c0, c1, c2] = proof as [Buffer, Buffer, Buffer];
    // The walk of verifyConsistency(3, 4, …) over [c0, c1, c2, p], continued past sn = 0 as if allowed.
    expect([nodeHash(c2, c0), nodeHash(c2, nodeHash(c0, c1))]).toEqual([tree.root(3), tree.root(4)]);
    const fr = nodeHash(p, nodeHash(c2, c0));
    const sr = nodeHash(p, nodeHash(c2, nodeHash(c0, c1)));
    expect(verifyConsistency(3, 4, fr, sr, [c0, c1, c2, p])).toBe(false);
  });

  it('splits a tree of 2^53 − 1 leaves into its 53 perfect subtrees (Math.log2 rounds that size to 53)', () => {
    expect(subtreesNeeded((src) => rootHash(src, Number.MAX_SAFE_INTEGER))).toHaveLength(53);
  });

  it('answers false, without throwing, to an empty proof between sizes that need one', () => {
    const tree = new MemoryTree(Array.from({ length: 4 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`))));
    expect(verifyConsistency(3, 4, tree.root(3), tree.root(4), [])).toBe(false);
  });

  it('lists each subtree a computation reads, once', () => {
    expect(subtreesNeeded((src) => rootHash(src, 5))).toEqual([
      { level: 2, index: 0 },
      { level: 0, index: 4 },
    ]);
    const twice = subtreesNeeded((src) => [rootHash(src, 4), rootHash(src, 4)]);
    expect(twice).toEqual([{ level: 2, index: 0 }]);
  });
});
