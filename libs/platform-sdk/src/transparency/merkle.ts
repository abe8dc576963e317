import { createHash } from 'node:crypto';

import { isPowerOfTwo } from './merkle-verify';

// The proofs' verification runs in browsers too (the console): it is in merkle-verify.ts, on @noble.
export { verifyConsistency, verifyInclusion } from './merkle-verify';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency v2, same hashing as RFC 6962):
 * leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right), split at the largest power
 * of two below the size. Proofs are computed from the hashes of perfect subtrees (2^level leaves
 * starting at a multiple of 2^level), which a store can keep: a proof at a million leaves then
 * reads a few dozen of them, never the leaves. Sizes and indexes are plain numbers and all the
 * arithmetic avoids 32-bit bit operations, so any size up to 2^53 works.
 */

export type Hash = Buffer;

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Where the hashes of perfect subtrees come from: a database table, or a tree in memory. */
export interface SubtreeSource {
  /** The root of the 2^level leaves starting at leaf index × 2^level. */
  subtree(level: number, index: number): Hash;
}

/** MTH(D[start:end]) for a range whose start is aligned on the subtrees it needs (as in every recursion below). */
function rangeHash(src: SubtreeSource, start: number, end: number): Hash {
  const n = end - start;
  if (isPowerOfTwo(n) && start % n === 0) return src.subtree(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(src, start, start + k), rangeHash(src, start + k, end));
}

export function rootHash(src: SubtreeSource, size: number): Hash {
  assertSize(size);
  return size === 0 ? EMPTY_ROOT : rangeHash(src, 0, size);
}

/** PATH(m, D[0:n]), RFC 9162 § 2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(src: SubtreeSource, index: number, size: number): Hash[] {
  assertSize(size);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError('leaf index outside the tree');
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(rangeHash(src, start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(rangeHash(src, start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[0:n]), RFC 9162 § 2.1.4.1: that the tree of `from` leaves is a prefix of the tree of `to`. */
export function consistencyProof(src: SubtreeSource, from: number, to: number): Hash[] {
  assertSize(to);
  if (!Number.isInteger(from) || from < 1 || from > to) throw new RangeError('consistency needs 1 ≤ from ≤ to');
  const proof: Hash[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(rangeHash(src, start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(rangeHash(src, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(rangeHash(src, start, start + k));
    }
  };
  sub(from, 0, to, true);
  return proof;
}

/**
 * A tree held in memory, level by level (level 0 = the leaf hashes): for tests and for
 * `audit:verify`.
 */
export class MemoryTree implements SubtreeSource {
  private readonly levels: Hash[][] = [[]];

  constructor(leaves: readonly Hash[] = []) {
    for (const leaf of leaves) this.append(leaf);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  append(leaf: Hash): void {
    this.levels[0]!.push(leaf);
    let level = 0;
    let index = this.levels[0]!.length - 1;
    while (index % 2 === 1) {
      const hash = nodeHash(this.levels[level]![index - 1]!, this.levels[level]![index]!);
      level++;
      index = Math.floor(index / 2);
      (this.levels[level] ??= []).push(hash);
    }
  }

  subtree(level: number, index: number): Hash {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    return hash;
  }

  root(size = this.size): Hash {
    return rootHash(this, size);
  }
}

/** The subtrees (level, index) a computation will read, so a store can fetch them in one query first. */
export function subtreesNeeded(compute: (src: SubtreeSource) => unknown): { level: number; index: number }[] {
  const wanted = new Map<string, { level: number; index: number }>();
  compute({
    subtree(level, index) {
      wanted.set(`${level}:${index}`, { level, index });
      return EMPTY_ROOT; // the shape of the computation never depends on the hash values
    },
  });
  return [...wanted.values()];
}

function assertSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new RangeError('tree size must be a whole number');
}

/**
 * The right edge of a tree of `size` leaves: the perfect subtrees a new leaf can complete
 * (one per set bit of `size`). Enough to append without reading anything else.
 */
export function frontierOf(size: number): { level: number; index: number }[] {
  const out: { level: number; index: number }[] = [];
  for (let level = 0; 2 ** level <= size; level++) {
    const count = Math.floor(size / 2 ** level);
    if (count % 2 === 1) out.push({ level, index: count - 1 });
  }
  return out;
}

/** Appends leaves to a tree of which only the frontier is known; returns every subtree completed. */
export function appendLeaves(
  size: number,
  frontier: ReadonlyMap<string, Hash>,
  leaves: readonly Hash[],
): { level: number; index: number; hash: Hash }[] {
  const known = new Map(frontier);
  const completed: { level: number; index: number; hash: Hash }[] = [];
  let n = size;
  for (const leaf of leaves) {
    let level = 0;
    let index = n;
    let hash = leaf;
    completed.push({ level, index, hash });
    known.set(`0:${index}`, hash);
    while (index % 2 === 1) {
      const left = known.get(`${level}:${index - 1}`);
      if (!left) throw new Error(`frontier is missing subtree ${level}:${index - 1}`);
      hash = nodeHash(left, hash);
      level++;
      index = Math.floor(index / 2);
      completed.push({ level, index, hash });
      known.set(`${level}:${index}`, hash);
    }
    n++;
  }
  return completed;
}
