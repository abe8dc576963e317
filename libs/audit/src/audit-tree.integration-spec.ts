import { MIGRATIONS } from '@ostracon/migrations';
import { type Hash, MemoryTree, consistencyProof, inclusionProof } from '@ostracon/platform-sdk/transparency';
import { type LibContext, libContext } from '@ostracon/test-support';
import { DataSource, type MigrationInterface } from 'typeorm';
import { type AuditEventRow, eventLeafHash, eventView } from './audit-leaf';
import { AuditTreeService } from './audit-tree.service';

/**
 * The tree as the service stores it in PostgreSQL (C2SP tlog-tiles, decision 0030), extended in
 * batches across the tile boundaries of levels 0 and 1, against the tree of every subtree built
 * in memory from the events themselves; and the migration that converted the stored subtrees.
 */
describe('the audit tree stored as tiles', () => {
  let lib: LibContext;
  let tree: AuditTreeService;
  let owner: DataSource;
  const hex = (hashes: Hash[]) => hashes.map((h) => h.toString('hex')).join(' ');

  beforeAll(async () => {
    lib = await libContext('audit-tiles', { imports: [] });
    tree = lib.context.get(AuditTreeService);
    owner = await new DataSource({ type: 'postgres', url: lib.db.ownerUrl }).initialize();
  });
  afterAll(async () => {
    await owner?.destroy();
    await lib?.close();
  });

  /** Events up to `size`, with their seq from the head as every writer takes it. */
  const fillTo = (size: number) =>
    lib.dataSource.query(
      `WITH head AS (UPDATE audit_log_head SET size = $1 RETURNING size), last AS (SELECT coalesce(max(seq), 0) AS seq FROM audit_events)
       INSERT INTO audit_events (seq, at, type, actor, data)
       SELECT g, now(), 'client.created', 'cli', jsonb_build_object('n', g) FROM head, last, generate_series(last.seq + 1, head.size) AS g`,
      [size],
    );

  async function memoryTree(): Promise<MemoryTree> {
    const rows: AuditEventRow[] = await lib.dataSource.query(
      `SELECT seq, at, type, actor, order_id, platform_id, data FROM audit_events ORDER BY seq`,
    );
    return new MemoryTree(rows.map((row) => eventLeafHash(eventView(row))));
  }

  const probes = (size: number) =>
    [0, 1, 255, 256, 65_535, 65_536, size - 1, Math.floor(size / 3)].filter((i, at, all) => i < size && all.indexOf(i) === at);

  /** The root and the proofs worth asking at the tile edges, as text. */
  async function askAll(src: AuditTreeService | MemoryTree, size: number): Promise<string[]> {
    const out = [`root ${hex([src instanceof MemoryTree ? src.root(size) : await src.root(size)])}`];
    for (const i of probes(size)) {
      out.push(`inclusion ${i}: ${hex(src instanceof MemoryTree ? inclusionProof(src, i, size) : await src.inclusion(i, size))}`);
    }
    for (const m of probes(size + 1).filter((m) => m >= 1)) {
      out.push(`consistency ${m}: ${hex(src instanceof MemoryTree ? consistencyProof(src, m, size) : await src.consistency(m, size))}`);
    }
    return out;
  }

  it('gives the roots and proofs of the tree of every subtree, at sizes on either side of the tile boundaries', async () => {
    const seen = new Map<number, string[]>();
    for (const [size, batch] of [
      [1, 1],
      [255, 100],
      [256, 2_000],
      [257, 2_000],
      [65_535, 700],
      [65_536, 2_000],
      [70_000, 2_000],
    ] as const) {
      await fillTo(size);
      while ((await tree.extend(batch)) > 0);
      expect(await tree.size()).toBe(size);
      seen.set(size, await askAll(tree, size));
    }
    const memory = await memoryTree();
    for (const [size, answered] of seen) {
      // As answered when the tree had that size, and again from the grown tiles.
      expect([size, answered]).toEqual([size, await askAll(memory, size)]);
      expect([size, await askAll(tree, size)]).toEqual([size, answered]);
    }
    expect(await tree.leafHash(69_999)).toEqual(memory.subtree(0, 69_999));
    expect(await tree.leafHash(70_000)).toBeUndefined();
    // 70,000 events: 277 rows (274 + 2 + 1), where a row per subtree made 139,993.
    expect(await lib.dataSource.query(`SELECT level, count(*)::int AS n FROM audit_tree_tiles GROUP BY level ORDER BY level`)).toEqual([
      { level: 0, n: 274 },
      { level: 1, n: 2 },
      { level: 2, n: 1 },
    ]);
  });

  it('converts between a row per subtree and tiles in SQL, both ways, without changing a hash', async () => {
    expect(await tree.size()).toBe(70_000);
    const memory = await memoryTree();
    const migration = MIGRATIONS.find((m) => m.name === 'StoreAuditTreeAsTiles1764525000000')!;
    const convert = new (migration as new () => MigrationInterface)();
    const q = owner.createQueryRunner();
    await q.connect();
    await q.startTransaction();
    try {
      const tiles = await q.query(`SELECT level, idx, hashes FROM audit_tree_tiles ORDER BY level, idx`);
      await convert.down(q);
      const nodes: { level: number; idx: string; hash: Buffer }[] = await q.query(`SELECT level, idx, hash FROM audit_tree_nodes`);
      let complete = 0;
      for (let level = 0; 2 ** level <= 70_000; level++) complete += Math.floor(70_000 / 2 ** level);
      expect(nodes).toHaveLength(complete);
      const wrong = nodes.filter((n) => !n.hash.equals(memory.subtree(n.level, Number(n.idx))));
      expect(wrong).toEqual([]);
      await convert.up(q);
      expect(await q.query(`SELECT level, idx, hashes FROM audit_tree_tiles ORDER BY level, idx`)).toEqual(tiles);
    } finally {
      await q.rollbackTransaction();
      await q.release();
    }
  });
});
