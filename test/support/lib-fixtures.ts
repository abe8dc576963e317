import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthenticatedClient } from '@ostracon/common';

import type { DirectivePlanner } from '@ostracon/enforcement';
import type { DataSource } from 'typeorm';

/**
 * For integration specs of one lib that need rows other libs own (an authority's organisation, an
 * order): written in those tables as those libs write them, so the spec needs only its own lib's
 * modules. Returns the organisation's id, which owns orders.
 */
export async function authorityRow(dataSource: DataSource): Promise<string> {
  const id = randomUUID();
  await dataSource.query(`INSERT INTO organisations (id, name, role) VALUES ($1, 'authority', 'authority')`, [id]);
  return id;
}

/** A platform row: push (a webhook and a sealed-looking secret) or pull; its id is returned. */
export async function platformRow(dataSource: DataSource, mode: 'push' | 'pull', slaHours = 48): Promise<string> {
  const id = `${mode}-${randomUUID().slice(0, 8)}`;
  await dataSource.query(
    mode === 'push'
      ? `INSERT INTO platforms (id, name, webhook_url, webhook_secret_enc, webhook_secret_key_id, sla_hours) VALUES ($1, 'Push', 'http://127.0.0.1:9/h', '\\x00', 'k', $2)`
      : `INSERT INTO platforms (id, name, sla_hours) VALUES ($1, 'Pull', $2)`,
    [id, slaHours],
  );
  return id;
}

/**
 * A platform's API client and its organisation, as libs/auth writes them (with a key nobody holds):
 * for specs whose rows name the client that acted (a sign-up match). Returned as a request's caller.
 */
export async function platformClient(dataSource: DataSource, platformId: string): Promise<AuthenticatedClient> {
  const caller = {
    kind: 'client',
    id: randomUUID(),
    name: 'platform',
    role: 'platform',
    organisationId: randomUUID(),
    platformId,
  } as const;
  await dataSource.query(`INSERT INTO organisations (id, name, role, platform_id) VALUES ($1, 'platform', 'platform', $2)`, [
    caller.organisationId,
    platformId,
  ]);
  await dataSource.query(
    `INSERT INTO api_clients (id, name, organisation_id, role, platform_id, key_hash) VALUES ($1, 'platform', $2, 'platform', $3, $4)`,
    [caller.id, caller.organisationId, platformId, randomBytes(32)],
  );
  return caller;
}

/** An order row, planned through the planner as an order's transaction does (one sealed account per platform). */
export async function plannedOrder(
  dataSource: DataSource,
  planner: DirectivePlanner,
  o: { authority: string; platforms: string[]; startsAt: Date; days?: number },
): Promise<string> {
  const id = randomUUID();
  const endsAt = new Date(o.startsAt.getTime() + (o.days ?? 30) * 86_400_000);
  await dataSource.transaction(async (em) => {
    await em.query(
      `INSERT INTO ban_orders (id, organisation_id, court_reference, court, decision_date, legal_basis, offence, repeat_offender,
                               starts_at, ends_at, signal_count)
       VALUES ($1, $2, 'TJ-LIB-TEST', 'Tribunal', '2026-11-01', 'conviction', 'cyberharassment', false, $3, $4, 1)`,
      [id, o.authority, o.startsAt, endsAt],
    );
    await planner.planOrder(
      em,
      { id, startsAt: o.startsAt, endsAt },
      o.platforms.map((platformId) => ({ platformId, accountCount: 1, accountsEnc: Buffer.from('sealed'), accountsKeyId: 'k' })),
    );
  });
  return id;
}
