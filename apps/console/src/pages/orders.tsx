import { type FormEvent } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { type Caller, type Order, client, ok } from '../api';
import { Field } from '../field';
import { format, formatDate, formatDateTime, messages as t } from '../i18n';
import { PlatformField, usePlatformNames } from '../platforms';
import { navigate } from '../router';
import { Badge, Loaded, Pager, Table, useLoad } from '../ui';
import './orders.css';

const STATUS_TONE = {
  scheduled: 'info',
  active: 'success',
  expired: 'new',
  revoked: 'warning',
  suspended: 'warning',
  relieved: 'new',
  quashed: 'new',
} as const;
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
type OrderPlatform = Order['platforms'][number];

/** A platform's state as the clerk reads it: "en retard" when its deadline passed unanswered, else its status. */
export function platformState(p: OrderPlatform): { text: string; tone: 'success' | 'error' | 'info' | 'warning' | 'new' } {
  return p.overdue ? { text: t.orders.overdue, tone: 'error' } : { text: t.platformStatus[p.status], tone: PLATFORM_TONE[p.status] };
}

/** The platforms to chase first: the late ones, earliest deadline first; then the others in their order. */
export function lateFirst(platforms: readonly OrderPlatform[]): OrderPlatform[] {
  const deadline = (p: OrderPlatform) => (p.slaDeadline ? Date.parse(p.slaDeadline) : Infinity);
  return [...platforms].sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.overdue ? deadline(a) - deadline(b) : 0));
}

/** The list's filters as the URL carries them (`#/orders?late=true&courtReference=…`), for the list and its CSV alike. */
function filtersOf(query: URLSearchParams) {
  return {
    status: query.get('status') ?? '',
    platform: query.get('platform') ?? '',
    courtReference: query.get('courtReference') ?? '',
    late: query.get('late') ?? '',
  };
}

/**
 * The orders the caller's organisation may see, newest first, filtered, a page at a time (GET
 * /v1/orders); what to chase today at the top (GET /v1/orders/late), and the late filter
 * (`late=true`) as the list of what to chase (docs/decisions/0018).
 */
export function OrdersPage({ query, caller }: { query: URLSearchParams; caller: Caller }) {
  const filters = filtersOf(query);
  const after = query.get('after') ?? '';
  const params = {
    limit: 20,
    // The URL may say anything: the API refuses a status it does not know, and the page shows why.
    status: (filters.status || undefined) as ListQuery['status'],
    platform: filters.platform || undefined,
    courtReference: filters.courtReference || undefined,
    late: (filters.late || undefined) as ListQuery['late'],
    after: after || undefined,
  };
  const page = useLoad(() => ok(client.GET('/v1/orders', { params: { query: params } })), [JSON.stringify(params)]);
  const late = useLoad(() => ok(client.GET('/v1/orders/late')), [JSON.stringify(params)]);
  // Unread attempts per order (issue 30), for the authority whose orders they are.
  const unread = useLoad(
    () => (caller.role === 'authority' ? ok(client.GET('/v1/attempts/unread')) : Promise.resolve({ total: 0, orders: [] })),
    [JSON.stringify(params)],
  );
  const unreadOf = new Map((unread.value?.orders ?? []).map((u) => [u.orderId, u.unread]));
  const platforms = usePlatformNames();
  const { nameOf } = platforms;

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/orders', {
      status: String(form.get('status') ?? ''),
      platform: String(form.get('platform') ?? ''),
      courtReference: String(form.get('courtReference') ?? '').trim(),
      late: String(form.get('late') ?? ''),
    });
  };
  const exportQuery = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
  const filtered = Object.values(filters).some((v) => v !== '');

  return (
    <>
      <h1>{t.orders.title}</h1>
      {late.value && (
        <div
          className={`fr-callout ${late.value.orders > 0 ? 'fr-callout--orange-terre-battue' : 'fr-callout--green-emeraude'} fr-mb-3w`}
          data-testid="late-summary"
        >
          <h2 className="fr-callout__title">{t.orders.lateSummaryTitle}</h2>
          <p className="fr-callout__text">
            {late.value.orders > 0
              ? format(t.orders.lateSummary, { orders: late.value.orders, platforms: late.value.platforms })
              : t.orders.noneLate}
          </p>
          {late.value.orders > 0 && filters.late !== 'true' && (
            <a className="fr-btn fr-btn--sm fr-mt-2w" href="#/orders?late=true" data-testid="show-late">
              {t.orders.showLate}
            </a>
          )}
          {filters.late === 'true' && (
            <a className="fr-btn fr-btn--sm fr-btn--secondary fr-mt-2w" href="#/orders">
              {t.orders.showAll}
            </a>
          )}
        </div>
      )}
      <form
        // Keyed by the URL: the controls show the filters in force after a link or the back button.
        key={JSON.stringify(filters)}
        className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-3w"
        onSubmit={filter}
        aria-label={t.common.filter}
      >
        <Field
          className="fr-col-12 fr-col-md-4"
          id="filter-ref"
          label={t.orders.courtReference}
          hint={t.orders.referenceHint}
          name="courtReference"
          defaultValue={filters.courtReference}
        />
        <Field
          className="fr-col-12 fr-col-md-2"
          id="filter-status"
          label={t.orders.status}
          name="status"
          defaultValue={filters.status}
          options={[{ value: '', label: t.common.all }, ...ORDER_STATUSES.map((s) => ({ value: s, label: t.status[s] }))]}
        />
        <PlatformField
          platforms={platforms}
          className="fr-col-12 fr-col-md-2"
          id="filter-platform"
          label={t.orders.platform}
          defaultValue={filters.platform}
        />
        <Field
          className="fr-col-12 fr-col-md-2"
          id="filter-late"
          label={t.orders.late}
          name="late"
          defaultValue={filters.late}
          options={[
            { value: '', label: t.common.all },
            { value: 'true', label: t.orders.lateOnly },
            { value: 'false', label: t.orders.notLate },
          ]}
        />
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit">
            {t.common.filter}
          </button>
        </div>
      </form>
      <p>
        <a
          className="fr-link fr-icon-download-line fr-link--icon-left"
          href={`/v1/orders/export${exportQuery ? `?${exportQuery}` : ''}`}
          download="ordonnances.csv"
          data-testid="export"
        >
          {t.orders.export}
          <span className="fr-hint-text">{t.orders.exportHint}</span>
        </a>
      </p>
      <Loaded state={page}>
        {({ items }) =>
          items.length === 0 ? (
            <div data-testid="orders-empty">
              <p>{t.orders.empty}</p>
              {caller.role === 'authority' && !filtered && !after && (
                <>
                  <p>{t.orders.emptyAction}</p>
                  <a className="fr-btn fr-icon-add-line fr-btn--icon-left" href="#/orders/new">
                    {t.nav.newOrder}
                  </a>
                </>
              )}
            </div>
          ) : (
            <div className="ost-orders">
              <Table testId="orders" caption={t.orders.title} hideCaption>
                <thead>
                  <tr>
                    <th scope="col">{t.orders.courtReference}</th>
                    <th scope="col">{t.orders.enforcement}</th>
                    <th scope="col">{t.orders.status}</th>
                    <th scope="col">{t.orders.period}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((o) => {
                    const overdue = o.platforms.filter((p) => p.overdue).length;
                    return (
                      <tr key={o.id} data-testid={`order-${o.id}`}>
                        <td>
                          <a href={`#/orders/${o.id}`}>{o.courtReference}</a>
                          <br />
                          <span className="fr-text--xs">{format(t.orders.created, { date: formatDateTime(o.createdAt) })}</span>
                          {(unreadOf.get(o.id) ?? 0) > 0 && (
                            <div className="fr-mt-1w" data-testid="unread-attempts">
                              <a href="#/attempts">
                                <Badge text={format(t.attempts.unreadCount, { count: unreadOf.get(o.id)! })} tone="info" />
                              </a>
                            </div>
                          )}
                          {overdue > 0 && (
                            <div className="fr-mt-1w" data-testid="late-count">
                              <Badge text={format(t.orders.lateCount, { count: overdue })} tone="error" />
                            </div>
                          )}
                        </td>
                        <td>
                          <ul className="fr-badges-group" data-testid="platforms">
                            {lateFirst(o.platforms).map((p) => {
                              const state = platformState(p);
                              return (
                                <li key={p.platform}>
                                  <Badge text={`${nameOf(p.platform)} : ${state.text}`} tone={state.tone} />
                                  {p.slaDeadline && (p.status === 'delivered' || p.overdue) && (
                                    <span className="fr-text--xs">
                                      &nbsp;{format(t.orders.deadline, { date: formatDateTime(p.slaDeadline) })}
                                    </span>
                                  )}
                                </li>
                              );
                            })}
                          </ul>
                        </td>
                        <td>
                          <Badge text={t.status[o.status]} tone={STATUS_TONE[o.status]} />
                        </td>
                        <td className="ost-nowrap">
                          {format(t.orders.from, { start: formatDate(o.startsAt), end: formatDate(o.endsAt) })}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            </div>
          )
        }
      </Loaded>
      <Pager
        first={after ? () => navigate('/orders', filters) : undefined}
        next={page.value?.nextCursor ? () => navigate('/orders', { ...filters, after: page.value!.nextCursor! }) : undefined}
      />
    </>
  );
}
