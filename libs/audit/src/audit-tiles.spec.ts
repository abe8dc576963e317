import fc from 'fast-check';
import {
  MemoryTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootHash,
  subtreesNeeded,
  type SubtreeSource,
} from '@ostracon/platform-sdk/transparency';
import {
  type Tile,
  TILE_WIDTH,
  TileSource,
  appendToTiles,
  edgeOf,
  type TreeEdge,
  hashAt,
  leafPlace,
  partialTiles,
  sizeOf,
  tileFor,
  tilesFor,
  widthOf,
} from './audit-tiles';

const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));
const frontierText = (edge: TreeEdge) => [...edge.frontier].map(([at, h]) => `${at}=${h.toString('hex')}`).join();
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`event ${i}`)));

/** A store of tiles as the table holds them: a row per (level, index), rewritten whole when it grows. */
class TileStore {
  readonly rows = new Map<string, Tile>();
  size = 0;

  /** The edge the last append left: what the worker keeps between extensions. */
  edge?: TreeEdge;

  /** Appends from the edge kept, or (`fresh`) from the partial tiles read as the store holds them. */
  append(leaves: Buffer[], fresh = false): Tile[] {
    const edge =
      !fresh && this.edge
        ? this.edge
        : edgeOf(
            this.size,
            partialTiles(this.size).map((t) => this.rows.get(`${t.level}:${t.index}`)!),
          );
    const { tiles, edge: next } = appendToTiles(edge, leaves);
    for (const tile of tiles) this.rows.set(`${tile.level}:${tile.index}`, tile);
    this.size += leaves.length;
    this.edge = next;
    return tiles;
  }

  /** Reads only the tiles a computation needs, as the service does. */
  source(compute: (src: SubtreeSource) => unknown): TileSource {
    const needs = tilesFor(subtreesNeeded(compute));
    return new TileSource(needs.map((n) => this.rows.get(`${n.level}:${n.index}`)!));
  }
}

// Sizes on either side of the tile boundaries of levels 0 and 1 (256 and 65,536 leaves).
const SIZES = [1, 2, 3, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 70_000];
const ALL = leavesOf(70_000);
const WHOLE = new MemoryTree(ALL);

/** Leaf indexes and earlier sizes worth asking about in a tree of `size`: its edges and tile edges. */
function probes(size: number): number[] {
  const near = [0, 1, 127, 128, 254, 255, 256, 257, 65_534, 65_535, 65_536, size - 2, size - 1, Math.floor(size / 2)];
  return [...new Set(near.filter((i) => i >= 0 && i < size))];
}

/** Counts what the tiles answer differently from the tree of every subtree (the current computation). */
function disagreements(store: TileStore, size: number): string[] {
  const out: string[] = [];
  const check = (what: string, compute: (src: SubtreeSource) => Buffer[]) => {
    const expected = hex(compute(WHOLE));
    if (hex(compute(store.source(compute))).join() !== expected.join()) out.push(`${what} at ${size}`);
  };
  check('root', (src) => [rootHash(src, size)]);
  for (const i of probes(size)) check(`inclusion of ${i}`, (src) => inclusionProof(src, i, size));
  for (const m of probes(size + 1).filter((m) => m >= 1)) check(`consistency from ${m}`, (src) => consistencyProof(src, m, size));
  return out;
}

describe('the audit tree as tiles (C2SP tlog-tiles)', () => {
  it('gives the roots and proofs of the tree of every subtree, byte for byte, across tile boundaries', () => {
    const store = new TileStore();
    const wrong: string[] = [];
    let chunk = 1;
    for (const size of SIZES) {
      while (store.size < size) {
        const n = Math.min(chunk, size - store.size);
        // Every third append from the rows themselves, as after another worker's extension.
        store.append(ALL.slice(store.size, store.size + n), chunk % 3 === 0);
        chunk = (chunk * 7 + 3) % 2_001; // appends of 1 to 2,000 leaves, as the worker's batches are
      }
      // As the tree stands at this size, with its partial tiles exactly this wide.
      wrong.push(...disagreements(store, size));
    }
    // And every earlier size again from the grown tiles: a wider tile holds the narrower as its prefix.
    for (const size of SIZES) wrong.push(...disagreements(store, size).map((w) => `${w} (grown)`));
    expect(wrong).toEqual([]);
  });

  it('stores 256 hashes of one level a row: 70,000 leaves are 277 rows, not 140,000', () => {
    const store = new TileStore();
    for (let at = 0; at < ALL.length; at += 700) store.append(ALL.slice(at, at + 700));
    const widths = [...store.rows.values()].map((t) => [t.level, t.index, widthOf(t)]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    expect(widths.filter(([level]) => level === 0)).toHaveLength(274); // 273 full + 112
    expect(widths.filter(([, , width]) => width < TILE_WIDTH)).toEqual([
      [0, 273, 112],
      [1, 1, 17],
      [2, 0, 1],
    ]);
    expect(widths.filter(([level]) => level === 1)).toHaveLength(2);
    // Level 1 holds the roots of each 256 leaves; level 2 the root of the first 65,536.
    expect(hashAt(store.rows.get('1:0')!, 3)).toEqual(WHOLE.subtree(8, 3));
    expect(hashAt(store.rows.get('2:0')!, 0)).toEqual(WHOLE.subtree(16, 0));
    expect(hashAt(store.rows.get('0:273')!, 111)).toEqual(ALL[69_999]);
  });

  it('rewrites only the tiles an append reaches: one more leaf, the partial tile of each level', () => {
    const store = new TileStore();
    store.append(ALL.slice(0, 65_535));
    const changed = store.append([ALL[65_535]!]);
    // The 65,536th leaf completes the last tile of level 0, of level 1, and starts level 2.
    expect(changed.map((t) => [t.level, t.index, widthOf(t)])).toEqual([
      [0, 255, 256],
      [1, 0, 256],
      [2, 0, 1],
    ]);
    // 700 leaves after that: two full tiles of level 0 begin and end, a partial one, and level 1's partial.
    const after = store.append(ALL.slice(65_536, 66_236)).map((t) => [t.level, t.index, widthOf(t)]);
    expect(after.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)).toEqual([
      [0, 256, 256],
      [0, 257, 256],
      [0, 258, 188],
      [1, 1, 2],
    ]);
  });

  it('grows a partial tile only at its end, and keeps the edge the stored tiles give (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 600 }), (start, count) => {
        const store = new TileStore();
        if (start > 0) store.append(ALL.slice(0, start));
        const before = new Map(store.rows);
        const changed = store.append(ALL.slice(start, start + count));
        // The edge kept for the next append is the one the stored rows give.
        const stored = edgeOf(
          store.size,
          partialTiles(store.size).map((t) => store.rows.get(`${t.level}:${t.index}`)!),
        );
        const kept = store.edge!;
        const same =
          kept.size === stored.size &&
          hex(kept.partial.map((t) => t.hashes)).join() === hex(stored.partial.map((t) => t.hashes)).join() &&
          frontierText(kept) === frontierText(stored);
        return (
          same &&
          changed.every((tile) => {
            const old = before.get(`${tile.level}:${tile.index}`);
            return !old || (widthOf(old) < TILE_WIDTH && tile.hashes.subarray(0, old.hashes.length).equals(old.hashes));
          })
        );
      }),
      { numRuns: 60 },
    );
  });

  it('names the tile and the width a subtree needs', () => {
    expect(tileFor(0, 0)).toEqual({ level: 0, index: 0, width: 1 });
    expect(tileFor(0, 256)).toEqual({ level: 0, index: 1, width: 1 });
    expect(tileFor(3, 2)).toEqual({ level: 0, index: 0, width: 24 });
    expect(tileFor(7, 1)).toEqual({ level: 0, index: 0, width: 256 });
    expect(tileFor(7, 2)).toEqual({ level: 0, index: 1, width: 128 });
    expect(tileFor(8, 300)).toEqual({ level: 1, index: 1, width: 45 });
    expect(tileFor(17, 0)).toEqual({ level: 2, index: 0, width: 2 });
    expect(
      tilesFor([
        { level: 0, index: 3 },
        { level: 2, index: 1 },
        { level: 8, index: 0 },
      ]),
    ).toEqual([
      { level: 0, index: 0, width: 8 },
      { level: 1, index: 0, width: 1 },
    ]);
  });

  it('knows the partial tiles and the size of a tree from its tiles', () => {
    expect(partialTiles(0)).toEqual([]);
    expect(partialTiles(256)).toEqual([{ level: 1, index: 0, width: 1 }]);
    expect(partialTiles(70_000)).toEqual([
      { level: 0, index: 273, width: 112 },
      { level: 1, index: 1, width: 17 },
      { level: 2, index: 0, width: 1 },
    ]);
    expect(partialTiles(2 ** 24)).toEqual([{ level: 3, index: 0, width: 1 }]);
    expect(sizeOf(undefined)).toBe(0);
    expect(sizeOf({ index: 273, bytes: 112 * 32 })).toBe(70_000);
    expect(sizeOf({ index: 2, bytes: 256 * 32 })).toBe(768);
    expect(leafPlace(0)).toEqual({ tile: 0, position: 0 });
    expect(leafPlace(69_999)).toEqual({ tile: 273, position: 111 });
    expect(leafPlace(512)).toEqual({ tile: 2, position: 0 });
  });

  it('keeps the widest version of a tile, and says which tile it lacks rather than inventing a hash', () => {
    const store = new TileStore();
    store.append(ALL.slice(0, 300));
    const full = store.rows.get('0:1')!;
    const narrow = { ...full, hashes: full.hashes.subarray(0, 32 * 10) };
    const source = new TileSource([full, narrow]);
    expect(source.tile(0, 1, 44)).toBe(full);
    expect(new TileSource([narrow]).tile(0, 1, 11)).toBeUndefined();
    expect(source.subtree(2, 70)).toEqual(WHOLE.subtree(2, 70));
    expect(() => new TileSource([narrow]).subtree(4, 16)).toThrow('audit tree is missing tile 0/1 (width 16)');
    expect(() => source.subtree(8, 0)).toThrow('audit tree is missing tile 1/0 (width 1)');
  });
});
