import { type FormEvent, useState } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { type Caller, client, ok } from '../api';
import { Field } from '../field';
import { formatDateTime, messages as t } from '../i18n';
import { parisInstant } from '../paris-time';
import { navigate } from '../router';
import { Loaded, Pager, Table, useLoad } from '../ui';

const TYPES = Object.keys(t.events);

type EventsQuery = NonNullable<paths['/v1/audit/events']['get']['parameters']['query']>;

/** The audit log, oldest first, keyset-paged, filtered (GET /v1/audit/events); each event's detail. */
export function AuditLogPage({ query, caller }: { query: URLSearchParams; caller: Caller }) {
  const filters = {
    type: query.get('type') ?? '',
    orderId: query.get('orderId') ?? '',
    platform: query.get('platform') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  };
  const after = query.get('after') ?? '';
  // A datetime-local value is a Paris wall-clock time, whatever the browser's zone.
  const instant = (v: string) => parisInstant(v)?.toISOString();
  const params: EventsQuery = {
    limit: 50,
    // The URL may say anything: the API refuses a type it does not know, and the page shows why.
    type: (filters.type || undefined) as EventsQuery['type'],
    orderId: filters.orderId || undefined,
    platform: filters.platform || undefined,
    from: instant(filters.from),
    to: instant(filters.to),
    after: after || undefined,
  };
  const page = useLoad(() => ok(client.GET('/v1/audit/events', { params: { query: params } })), [JSON.stringify(params)]);
  const [open, setOpen] = useState<number | null>(null);

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/audit', Object.fromEntries(['type', 'orderId', 'platform', 'from', 'to'].map((k) => [k, String(form.get(k) ?? '').trim()])));
  };
  // The same filters, every page: a download, not an API call of the page's.
  const exportParams = new URLSearchParams();
  for (const k of ['type', 'orderId', 'platform', 'from', 'to'] as const) if (params[k]) exportParams.set(k, params[k]);

  return (
    <>
      <h1>{t.log.title}</h1>
      <p>{t.log.intro}</p>
      <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-3w" onSubmit={filter} aria-label={t.common.filter}>
        <Field
          className="fr-col-12 fr-col-md-3"
          id="log-type"
          label={t.log.type}
          name="type"
          defaultValue={filters.type}
          options={[{ value: '', label: t.common.all }, ...TYPES.map((type) => ({ value: type, label: t.events[type] ?? type }))]}
        />
        <Field className="fr-col-12 fr-col-md-2" id="log-order" label={t.log.orderId} name="orderId" defaultValue={filters.orderId} />
        <Field className="fr-col-12 fr-col-md-2" id="log-platform" label={t.log.platform} name="platform" defaultValue={filters.platform} />
        <Field
          className="fr-col-6 fr-col-md-2"
          id="log-from"
          label={t.log.from}
          type="datetime-local"
          name="from"
          defaultValue={filters.from}
        />
        <Field className="fr-col-6 fr-col-md-2" id="log-to" label={t.log.to} type="datetime-local" name="to" defaultValue={filters.to} />
        <div className="fr-col-12 fr-col-md-2">
          <button className="fr-btn" type="submit">
            {t.common.filter}
          </button>
        </div>
      </form>
      {caller.role === 'auditor' && (
        <p>
          <a
            className="fr-link fr-icon-download-line fr-link--icon-left"
            href={`/v1/audit/events/export?${exportParams.toString()}`}
            download="audit.ndjson"
          >
            {t.log.export}
          </a>
        </p>
      )}
      <Loaded state={page} empty={t.log.empty} isEmpty={(p) => p.items.length === 0}>
        {({ items }) => (
          <Table testId="events" caption={t.log.title} hideCaption>
            <thead>
              <tr>
                <th scope="col">{t.log.seq}</th>
                <th scope="col">{t.log.at}</th>
                <th scope="col">{t.log.type}</th>
                <th scope="col">{t.log.actor}</th>
                <th scope="col">{t.common.details}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td className="ost-nowrap">{formatDateTime(e.at)}</td>
                  <td>
                    {t.events[e.type] ?? e.type}
                    <br />
                    <code className="fr-text--xs">{e.type}</code>
                  </td>
                  <td className="ost-mono fr-text--xs">{e.actor}</td>
                  <td>
                    <button
                      className="fr-btn fr-btn--sm fr-btn--tertiary"
                      type="button"
                      aria-expanded={open === e.seq}
                      onClick={() => setOpen(open === e.seq ? null : e.seq)}
                    >
                      {t.common.details}
                    </button>
                    {caller.role === 'auditor' && (
                      <a className="fr-link fr-text--xs fr-ml-1w" href={`#/audit/verify?seq=${e.seq}`}>
                        {t.log.verifyEvent}
                      </a>
                    )}
                    {open === e.seq && (
                      <pre className="ost-mono fr-text--xs" data-testid={`event-${e.seq}`}>
                        {JSON.stringify(e, null, 2)}
                      </pre>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
      <Pager
        first={after ? () => navigate('/audit', filters) : undefined}
        next={page.value?.nextCursor ? () => navigate('/audit', { ...filters, after: page.value!.nextCursor! }) : undefined}
      />
    </>
  );
}
