import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { type INestApplicationContext } from '@nestjs/common';
import { ManualClock, type AuthenticatedClient } from '@ostracon/common';
import { EnforcementModule } from '@ostracon/enforcement';
import type { SignalInput } from '@ostracon/identity';
import { type OrderView, OrdersModule, OrdersService, createOrderSchema } from '@ostracon/orders';
import { PrivateSetModule } from '@ostracon/private-checks';
import {
  type LibContext,
  asOwner,
  authorityRow,
  libContext,
  orderBody,
  platformClient,
  platformRow,
  waitFor,
} from '@ostracon/test-support';
import { ScreeningIndexService } from './screening-index.service';
import { ScreeningModule } from './screening.module';
import { SignupMatchesModule } from './signup-matches.module';
import { SignupChecksService } from './signup-checks.service';

/**
 * A full rebuild of the index runs in a worker thread and is swapped in complete
 * (index-builder.ts, docs/screening.md § Rebuilds off the event loop): checks go on being
 * answered from the old index while it runs, from the new one after, and a build that fails
 * leaves the old one serving.
 */
describe('sign-up index: a rebuild in a worker thread', () => {
  let lib: LibContext;
  let context: INestApplicationContext;
  let checks: SignupChecksService;
  let index: ScreeningIndexService;
  let orders: OrdersService;
  const clock = new ManualClock();
  let tiktok: string;
  let platform: AuthenticatedClient;
  let authority: AuthenticatedClient;

  beforeAll(async () => {
    lib = await libContext('index-rebuild', {
      clock,
      imports: [ScreeningModule, OrdersModule, EnforcementModule, PrivateSetModule, SignupMatchesModule],
    });
    ({ context } = lib);
    checks = context.get(SignupChecksService);
    index = context.get(ScreeningIndexService);
    orders = context.get(OrdersService);
    tiktok = await platformRow(lib.dataSource, 'pull');
    platform = await platformClient(lib.dataSource, tiktok);
    const organisationId = await authorityRow(lib.dataSource);
    authority = { kind: 'client', id: randomUUID(), name: 'Parquet', role: 'authority', organisationId, platformId: null };
    await index.ready();
  });
  afterAll(() => lib?.close());

  async function banned(email: string): Promise<OrderView> {
    const body = orderBody(tiktok, clock.now(), {
      subject: { signals: [{ type: 'email', value: email }] },
      platforms: [{ platform: tiktok, accounts: [{ accountId: 'acct-1' }] }],
    });
    const order = await orders.create(authority, createOrderSchema.parse(body));
    await waitFor(() => index.current?.has(order.id), 'the new order in the index');
    return order;
  }
  const uniqueEmail = () => `banned.${randomUUID().slice(0, 8)}@example.fr`;
  const decision = (email: string) =>
    checks.checkSignups(platform, [{ signals: [{ type: 'email', value: email } as SignalInput] }]).then(([o]) => o!.decision);
  /** Revoked with its notification lost: only a full rebuild can see it. */
  const revokeUnnoticed = (orderId: string) =>
    asOwner(async (owner) => {
      await owner.query(`SET session_replication_role = replica`);
      await owner.query(`UPDATE ban_orders SET revoked_at = now(), ended_by = 'revocation', revocation_reason = 'lost' WHERE id = $1`, [
        orderId,
      ]);
    }, lib.db.ownerUrl);

  it('answers checks from the old index while the build runs, and from the new one once it is swapped in', async () => {
    const kept = uniqueEmail();
    const revoked = uniqueEmail();
    const keptOrder = await banned(kept);
    const revokedOrder = await banned(revoked);
    await revokeUnnoticed(revokedOrder.id);
    const before = index.current!;
    const loadedAt = index.stats().loadedAt;
    expect(await decision(revoked)).toBe('block'); // the old index does not know yet

    clock.advance(1000);
    let done = false;
    const rebuilding = index.rebuild().then(() => (done = true));
    // Checks keep being answered while the worker builds: each answer is the old index's (block)
    // until the swap, the new one's (allow) after, never a mix and never a stall.
    const during: string[] = [];
    while (!done) {
      const [a, b] = await Promise.all([decision(revoked), decision(kept)]);
      during.push(a);
      expect(b).toBe('block');
    }
    await rebuilding;
    expect(during.length).toBeGreaterThan(0);
    const firstAllow = during.indexOf('allow');
    if (firstAllow >= 0) expect(during.slice(firstAllow).every((d) => d === 'allow')).toBe(true);
    expect(during.slice(0, firstAllow < 0 ? during.length : firstAllow).every((d) => d === 'block')).toBe(true);

    expect(index.current).not.toBe(before);
    expect(index.stats().loadedAt).not.toEqual(loadedAt);
    expect(index.current!.has(revokedOrder.id)).toBe(false);
    expect(index.current!.has(keptOrder.id)).toBe(true);
    expect(await decision(revoked)).toBe('allow');
    expect(await decision(kept)).toBe('block');
    // The new index goes on following notifications.
    const later = uniqueEmail();
    await banned(later);
    expect(await decision(later)).toBe('block');
  });

  it('builds at the lowest priority in a thread of its own, the thread that answers checks keeping its own', async () => {
    /** Each thread of this process and its nice value (/proc/self/task/<tid>/stat, the 19th field; Linux). */
    const niceByThread = () =>
      new Map(
        readdirSync('/proc/self/task').map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          // After the command (in parentheses, spaces allowed) come the state (3rd field) … the nice value (19th).
          return [Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])] as const;
        }),
      );
    const before = niceByThread();
    expect(before.get(process.pid)).toBe(0);
    clock.advance(1000);
    let done = false;
    const rebuilding = index.rebuild().then(() => (done = true));
    const seen = new Set<number>();
    while (!done) {
      for (const [tid, nice] of niceByThread()) if (!before.has(tid)) seen.add(nice);
      await new Promise((r) => setTimeout(r, 1));
    }
    await rebuilding;
    // The build's thread was seen at 19 (PRIORITY_LOW); this thread, which serves checks, never left 0.
    expect(seen.has(19)).toBe(true);
    expect(niceByThread().get(process.pid)).toBe(0);
  });

  it('keeps the old index serving when a build fails', async () => {
    const email = uniqueEmail();
    const order = await banned(email);
    await revokeUnnoticed(order.id);
    const before = index.current!;
    const { loadedAt, signals } = index.stats();
    // The build's own connection cannot reach PostgreSQL (nothing listens on port 1).
    const url = lib.config.database.url;
    lib.config.database.url = 'postgresql://nobody@127.0.0.1:1/nothing';
    clock.advance(1000);
    try {
      await index.rebuild();
    } finally {
      lib.config.database.url = url;
    }
    expect(index.current).toBe(before);
    expect(index.stats()).toMatchObject({ loadedAt, signals, ready: true });
    expect(await decision(email)).toBe('block');

    // With PostgreSQL reachable again, the next rebuild takes the revocation in.
    await index.rebuild();
    expect(index.current).not.toBe(before);
    expect(index.stats().loadedAt).toEqual(clock.now());
    expect(await decision(email)).toBe('allow');
  });
});
