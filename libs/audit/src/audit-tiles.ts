import { type Hash, type SubtreeSource, appendLeaves, frontierOf, nodeHash } from '@ostracon/platform-sdk/transparency';

/**
 * The audit tree stored as tiles (C2SP tlog-tiles, https://c2sp.org/tlog-tiles): a tile of level
 * L and index N holds the hashes of tree level 8·L from index 256·N on, 256 of them once full,
 * concatenated. The levels between (8·L + 1 to 8·L + 7) are not stored: each of their subtrees
 * is the root of a power-of-two run of one tile's hashes, hashed here. The tile at the right edge
 * of each tile level is partial and only ever grows, so a tile read at any time holds, as a
 * prefix, the same hashes as at any earlier time: what was read once can be kept (decision 0030).
 * Pure code, no I/O: the store reads and writes the rows (audit-tree.service.ts).
 */

/** Tree levels per tile (tlog-tiles' H = 8). */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile: 2^TILE_HEIGHT. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
export const HASH_BYTES = 32;

/** A tile as stored: its level, its index, and its hashes concatenated (1 to 256 of them). */
export interface Tile {
  level: number;
  index: number;
  hashes: Buffer;
}

/** Which tile a tree's subtree comes from, and how many of that tile's hashes it needs. */
export interface TileNeed {
  level: number;
  index: number;
  width: number;
}

export const widthOf = (tile: Pick<Tile, 'hashes'>): number => tile.hashes.length / HASH_BYTES;

/** The tile holding the hashes the subtree (level, index) is made of: 2^(level mod 8) of them. */
export function tileFor(level: number, index: number): TileNeed {
  const span = 2 ** (level % TILE_HEIGHT);
  const end = (index + 1) * span; // one past its last hash, at tree level 8·L
  const tile = Math.floor((end - 1) / TILE_WIDTH);
  return { level: Math.floor(level / TILE_HEIGHT), index: tile, width: end - tile * TILE_WIDTH };
}

/** The tiles a set of subtrees comes from, each once, with the widest of their needs. */
export function tilesFor(subtrees: readonly { level: number; index: number }[]): TileNeed[] {
  const needs = new Map<string, TileNeed>();
  for (const s of subtrees) {
    const need = tileFor(s.level, s.index);
    const key = `${need.level}:${need.index}`;
    const known = needs.get(key);
    if (!known || known.width < need.width) needs.set(key, need);
  }
  return [...needs.values()];
}

/**
 * The partial tiles of a tree of `size` leaves, one per tile level whose right-most tile is not
 * full: the only tiles an append changes, and all a new leaf's frontier is made of.
 */
export function partialTiles(size: number): TileNeed[] {
  const out: TileNeed[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level); // hashes at tree level 8·level
    const width = count % TILE_WIDTH;
    if (width > 0) out.push({ level, index: Math.floor(count / TILE_WIDTH), width });
  }
  return out;
}

/** The tree's size from the index and byte length of its right-most tile of level 0 (none: the empty tree). */
export function sizeOf(lastLeafTile: { index: number; bytes: number } | undefined): number {
  return lastLeafTile ? lastLeafTile.index * TILE_WIDTH + lastLeafTile.bytes / HASH_BYTES : 0;
}

/** Where leaf `index` is: its tile of level 0 and its position there. */
export function leafPlace(index: number): { tile: number; position: number } {
  return { tile: Math.floor(index / TILE_WIDTH), position: index % TILE_WIDTH };
}

/** The hash at position `i` of a tile. */
export function hashAt(tile: Pick<Tile, 'hashes'>, i: number): Hash {
  return tile.hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
}

/**
 * Subtrees computed from tiles. The hashes between stored levels are computed once per source
 * and kept with it, so a source built over tiles that are kept (the upper tile levels) hashes
 * each of them once.
 */
export class TileSource implements SubtreeSource {
  private readonly tiles = new Map<string, Tile>();
  private readonly inner = new Map<string, Hash>();

  constructor(tiles: Iterable<Tile> = []) {
    for (const tile of tiles) this.add(tile);
  }

  /** How many tiles it holds. */
  get count(): number {
    return this.tiles.size;
  }

  /** Adds a tile, or a wider version of one: the narrower one is its prefix (tlog-tiles). */
  add(tile: Tile): void {
    const key = `${tile.level}:${tile.index}`;
    const known = this.tiles.get(key);
    if (!known || widthOf(known) < widthOf(tile)) this.tiles.set(key, tile);
  }

  /** The tile (level, index) if held and at least `width` wide. */
  tile(level: number, index: number, width = 1): Tile | undefined {
    const tile = this.tiles.get(`${level}:${index}`);
    return tile && widthOf(tile) >= width ? tile : undefined;
  }

  subtree(level: number, index: number): Hash {
    const need = tileFor(level, index);
    const tile = this.tile(need.level, need.index, need.width);
    if (!tile) throw new Error(`audit tree is missing tile ${need.level}/${need.index} (width ${need.width})`);
    if (level % TILE_HEIGHT === 0) return hashAt(tile, index % TILE_WIDTH);
    const key = `${level}:${index}`;
    let hash = this.inner.get(key);
    if (!hash) {
      hash = nodeHash(this.subtree(level - 1, 2 * index), this.subtree(level - 1, 2 * index + 1));
      this.inner.set(key, hash);
    }
    return hash;
  }
}

/**
 * The right edge of a tree: its partial tiles, and the hashes of its frontier (the perfect
 * subtrees a new leaf can complete, computed from those tiles). Enough to append to the tree.
 */
export interface TreeEdge {
  size: number;
  partial: Tile[];
  frontier: ReadonlyMap<string, Hash>;
}

/** The edge of a tree of `size` leaves from its partial tiles (as `partialTiles(size)` names them). */
export function edgeOf(size: number, partial: readonly Tile[]): TreeEdge {
  const source = new TileSource(partial);
  const frontier = new Map(frontierOf(size).map(({ level, index }) => [`${level}:${index}`, source.subtree(level, index)]));
  return { size, partial: [...partial], frontier };
}

/**
 * Appends leaves to a tree known by its edge; returns every tile that changed or began, whole,
 * and the new edge (so that the next append hashes nothing twice).
 */
export function appendToTiles(edge: TreeEdge, leaves: readonly Hash[]): { tiles: Tile[]; edge: TreeEdge } {
  // Per tile level, the hashes of its right-most tile so far.
  const right = new Map<number, { index: number; hashes: Hash[] }>();
  for (const tile of edge.partial) {
    right.set(tile.level, { index: tile.index, hashes: [...Array(widthOf(tile)).keys()].map((i) => hashAt(tile, i)) });
  }
  const known = new Map(edge.frontier);
  const changed = new Map<string, { level: number; index: number; hashes: Hash[] }>();
  for (const node of appendLeaves(edge.size, edge.frontier, leaves)) {
    known.set(`${node.level}:${node.index}`, node.hash);
    if (node.level % TILE_HEIGHT !== 0) continue;
    const level = node.level / TILE_HEIGHT;
    const index = Math.floor(node.index / TILE_WIDTH);
    let tile = right.get(level);
    if (!tile || tile.index !== index) {
      tile = { index, hashes: [] };
      right.set(level, tile);
    }
    tile.hashes.push(node.hash);
    changed.set(`${level}:${index}`, { level, ...tile });
  }
  const size = edge.size + leaves.length;
  const whole = (t: { level: number; index: number; hashes: Hash[] }): Tile => ({
    level: t.level,
    index: t.index,
    hashes: Buffer.concat(t.hashes),
  });
  const tiles = [...changed.values()].map(whole);
  const frontier = new Map(frontierOf(size).map(({ level, index }) => [`${level}:${index}`, known.get(`${level}:${index}`)!]));
  const partial = [...right]
    .filter(([, t]) => t.hashes.length < TILE_WIDTH)
    .map(([level, t]) => tiles.find((c) => c.level === level && c.index === t.index) ?? edge.partial.find((p) => p.level === level)!);
  return { tiles, edge: { size, partial, frontier } };
}
