import { type FormEvent } from 'react';
import { type Order, type Page, api } from '../api';
import { format, formatDate, formatDateTime, messages as t } from '../i18n';
import { navigate } from '../router';
import { Badge, Pager, Problem, Table, useLoad } from '../ui';

const STATUS_TONE = { scheduled: 'info', active: 'success', expired: 'new', revoked: 'warning' } as const;
export const PLATFORM_TONE = {
  pending: 'new',
  delivered: 'info',
  enforced: 'success',
  failed: 'error',
  lifting: 'info',
  lifted: 'new',
} as const;

/** The orders the caller's organisation may see, newest first, filtered, a page at a time (GET /v1/orders). */
export function OrdersPage({ query }: { query: URLSearchParams }) {
  const status = query.get('status') ?? '';
  const platform = query.get('platform') ?? '';
  const courtReference = query.get('courtReference') ?? '';
  const after = query.get('after') ?? '';
  const params = new URLSearchParams({ limit: '20' });
  if (status) params.set('status', status);
  if (platform) params.set('platform', platform);
  if (courtReference) params.set('courtReference', courtReference);
  if (after) params.set('after', after);
  const page = useLoad(() => api<Page<Order>>(`/v1/orders?${params.toString()}`), [params.toString()]);

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
        <div className="fr-col-12 fr-col-md-3 fr-select-group">
          <label className="fr-label" htmlFor="filter-status">
            {t.orders.status}
          </label>
          <select className="fr-select" id="filter-status" name="status" defaultValue={status}>
            <option value="">{t.common.all}</option>
            {(['scheduled', 'active', 'expired', 'revoked'] as const).map((s) => (
              <option key={s} value={s}>
                {t.status[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="fr-col-12 fr-col-md-3 fr-input-group">
          <label className="fr-label" htmlFor="filter-platform">
            {t.orders.platform}
          </label>
          <input className="fr-input" id="filter-platform" name="platform" defaultValue={platform} />
        </div>
        <div className="fr-col-12 fr-col-md-4 fr-input-group">
          <label className="fr-label" htmlFor="filter-ref">
            {t.orders.courtReference}
          </label>
          <input className="fr-input" id="filter-ref" name="courtReference" defaultValue={courtReference} />
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit">
            {t.common.filter}
          </button>
        </div>
      </form>
      {page.error !== undefined && <Problem error={page.error} />}
      {page.loading && <p>{t.common.loading}</p>}
      {page.value && page.value.items.length === 0 && <p>{t.orders.empty}</p>}
      {page.value && page.value.items.length > 0 && (
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
            {page.value.items.map((o) => (
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
