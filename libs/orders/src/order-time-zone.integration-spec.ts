import { randomUUID } from 'node:crypto';
import { SignupMatchesModule } from '@ostracon/screening';
import { ManualClock } from '@ostracon/common';
import { EnforcementModule } from '@ostracon/enforcement';
import { PrivateSetModule } from '@ostracon/private-checks';
import { type LibContext, libContext, asOwner, authorityRow, orderBody, platformRow } from '@ostracon/test-support';
import { addMonths } from './order-terms';
import { OrdersModule } from './orders.module';
import { createOrderSchema } from './orders.schemas';
import { OrdersService } from './orders.service';

/**
 * The months of the law are counted on the Paris calendar, by the rules and by the database's check
 * (`ck_ban_orders_max_duration`) alike, whatever time zone the PostgreSQL server is set to: counted
 * on the server's calendar, a daylight-saving change or a 29 February inside the order made the
 * check's 12 months shorter than the rules', and an order the rules accept failed with a 500.
 */
describe('an order on a PostgreSQL server set to Europe/Paris', () => {
  let lib: LibContext;
  const clock = new ManualClock('2026-12-07T06:00:00Z');

  beforeAll(async () => {
    lib = await libContext('tz', {
      clock,
      imports: [OrdersModule, EnforcementModule, PrivateSetModule, SignupMatchesModule],
      beforeConnect: (db) =>
        asOwner((o) => o.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET timezone = 'Europe/Paris'`), db.ownerUrl),
    });
  });
  afterAll(() => lib?.close());

  it.each([
    ['across a daylight-saving change', '2027-03-27T12:00:00Z'],
    ['across a 29 February', '2028-02-28T23:30:00Z'],
    // 30 October 2027 12:00, summer time, to 30 October 2028 12:00, winter time: 11:00Z, not 10:00Z.
    ['from summer time to winter time', '2027-10-30T10:00:00Z'],
    // 26 March 2027 02:30 to 26 March 2028 02:30, an hour summer time skips: 03:30.
    ['into the hour summer time skips', '2027-03-26T01:30:00Z'],
  ])('accepts a repeat offender’s 12 months to the instant, %s', async (_, start) => {
    const dataSource = lib.dataSource;
    const platform = await platformRow(dataSource, 'pull');
    const organisationId = await authorityRow(dataSource);
    const startsAt = new Date(start);
    // Ordered the day before it starts (a ban starts at most 366 days ahead).
    clock.set(new Date(startsAt.getTime() - 86_400_000));
    const endsAt = addMonths(startsAt, 12);
    const body = orderBody(platform, clock.now(), {
      repeatOffender: true,
      startsAt: startsAt.toISOString(),
      durationDays: undefined,
      endsAt: endsAt.toISOString(),
    });
    const view = await lib.context
      .get(OrdersService)
      .create(
        { kind: 'client', id: randomUUID(), name: 'P', role: 'authority', organisationId, platformId: null },
        createOrderSchema.parse(body),
      );
    expect(view.endsAt).toBe(endsAt.toISOString());
  });
});
