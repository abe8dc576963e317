import { type FormEvent } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { client, ok } from '../api';
import { Field } from '../field';
import { format, formatDate, formatDateTime, messages as t } from '../i18n';
import { navigate } from '../router';
import { Badge, Loaded, Pager, Table, useLoad } from '../ui';

const STATUS_TONE = { scheduled: 'info', active: 'success', expired: 'new', revoked: 'warning' } as const;
const ORDER_STATUSES = Object.keys(STATUS_TONE) as (keyof typeof STATUS_TONE)[];
export const PLATFORM_TONE = {
  pending: 'new',
  delivered: 'info',
  enforced: 'success',
  failed: 'error',
  lifting: 'info',
  lifted: 'new',
} as const;

type ListQuery = NonNullable<paths['/v1/orders']['get']['parameters']['query']>;

/** The orders the caller's organisation may see, newest first, filtered, a page at a time (GET /v1/orders). */
export function OrdersPage({ query }: { query: URLSearchParams }) {
  const status = query.get('status') ?? '';
  const platform = query.get('platform') ?? '';
  const courtReference = query.get('courtReference') ?? '';
  const after = query.get('after') ?? '';
  const params = {
    limit: 20,
    // The URL may say anything: the API refuses a status it does not know, and the page shows why.
    status: (status || undefined) as ListQuery['status'],
    platform: platform || undefined,
    courtReference: courtReference || undefined,
    after: after || undefined,
  };
  const page = useLoad(() => ok(client.GET('/v1/orders', { params: { query: params } })), [JSON.stringify(params)]);

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/orders', {
      status: String(form.get('status') ?? ''),
      platform: String(form.get('platform') ?? '').trim(),
      courtReference: String(form.get('courtReference') ?? '').trim(),
    });
  };

  return (
    <>
      <h1>{t.orders.title}</h1>
      <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-3w" onSubmit={filter} aria-label={t.common.filter}>
        <Field
          className="fr-col-12 fr-col-md-3"
          id="filter-status"
          label={t.orders.status}
          name="status"
          defaultValue={status}
          options={[{ value: '', label: t.common.all }, ...ORDER_STATUSES.map((s) => ({ value: s, label: t.status[s] }))]}
        />
        <Field className="fr-col-12 fr-col-md-3" id="filter-platform" label={t.orders.platform} name="platform" defaultValue={platform} />
        <Field
          className="fr-col-12 fr-col-md-4"
          id="filter-ref"
          label={t.orders.courtReference}
          name="courtReference"
          defaultValue={courtReference}
        />
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit">
            {t.common.filter}
          </button>
        </div>
      </form>
      <Loaded state={page} empty={t.orders.empty} isEmpty={(p) => p.items.length === 0}>
        {({ items }) => (
          <Table testId="orders" caption={t.orders.title} hideCaption>
            <thead>
              <tr>
                <th scope="col">{t.orders.courtReference}</th>
                <th scope="col">{t.orders.status}</th>
                <th scope="col">{t.orders.period}</th>
                <th scope="col">{t.orders.enforcement}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id}>
                  <td>
                    <a href={`#/orders/${o.id}`}>{o.courtReference}</a>
                    <br />
                    <span className="fr-text--xs">{format(t.orders.created, { date: formatDateTime(o.createdAt) })}</span>
                  </td>
                  <td>
                    <Badge text={t.status[o.status]} tone={STATUS_TONE[o.status]} />
                  </td>
                  <td className="ost-nowrap">{format(t.orders.from, { start: formatDate(o.startsAt), end: formatDate(o.endsAt) })}</td>
                  <td>
                    <ul className="fr-badges-group">
                      {o.platforms.map((p) => (
                        <li key={p.platform}>
                          <Badge text={`${p.platform} : ${t.platformStatus[p.status]}`} tone={PLATFORM_TONE[p.status]} />
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
      <Pager
        first={after ? () => navigate('/orders', { status, platform, courtReference }) : undefined}
        next={
          page.value?.nextCursor
            ? () => navigate('/orders', { ...{ status, platform, courtReference }, after: page.value!.nextCursor! })
            : undefined
        }
      />
    </>
  );
}
