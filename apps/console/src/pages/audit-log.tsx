import { type FormEvent, useState } from 'react';
import { type AuditEvent, type Caller, type Page, api } from '../api';
import { formatDateTime, messages as t } from '../i18n';
import { navigate } from '../router';
import { Pager, Problem, Table, useLoad } from '../ui';

const TYPES = Object.keys(t.events);

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
  const params = new URLSearchParams({ limit: '50' });
  for (const [k, v] of Object.entries(filters)) {
    if (!v) continue;
    if (k !== 'from' && k !== 'to') params.set(k, v);
    else if (!Number.isNaN(new Date(v).getTime())) params.set(k, new Date(v).toISOString());
  }
  if (after) params.set('after', after);
  const page = useLoad(() => api<Page<AuditEvent>>(`/v1/audit/events?${params.toString()}`), [params.toString()]);
  const [open, setOpen] = useState<number | null>(null);

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/audit', Object.fromEntries(['type', 'orderId', 'platform', 'from', 'to'].map((k) => [k, String(form.get(k) ?? '').trim()])));
  };
  const exportParams = new URLSearchParams(params);
  exportParams.delete('after');
  exportParams.delete('limit');

  return (
    <>
      <h1>{t.log.title}</h1>
      <p>{t.log.intro}</p>
      <form className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-3w" onSubmit={filter} aria-label={t.common.filter}>
        <div className="fr-col-12 fr-col-md-3 fr-select-group">
          <label className="fr-label" htmlFor="log-type">
            {t.log.type}
          </label>
          <select className="fr-select" id="log-type" name="type" defaultValue={filters.type}>
            <option value="">{t.common.all}</option>
            {TYPES.map((type) => (
              <option key={type} value={type}>
                {t.events[type]}
              </option>
            ))}
          </select>
        </div>
        <div className="fr-col-12 fr-col-md-2 fr-input-group">
          <label className="fr-label" htmlFor="log-order">
            {t.log.orderId}
          </label>
          <input className="fr-input" id="log-order" name="orderId" defaultValue={filters.orderId} />
        </div>
        <div className="fr-col-12 fr-col-md-2 fr-input-group">
          <label className="fr-label" htmlFor="log-platform">
            {t.log.platform}
          </label>
          <input className="fr-input" id="log-platform" name="platform" defaultValue={filters.platform} />
        </div>
        <div className="fr-col-6 fr-col-md-2 fr-input-group">
          <label className="fr-label" htmlFor="log-from">
            {t.log.from}
          </label>
          <input className="fr-input" type="datetime-local" id="log-from" name="from" defaultValue={filters.from} />
        </div>
        <div className="fr-col-6 fr-col-md-2 fr-input-group">
          <label className="fr-label" htmlFor="log-to">
            {t.log.to}
          </label>
          <input className="fr-input" type="datetime-local" id="log-to" name="to" defaultValue={filters.to} />
        </div>
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
      {page.error !== undefined && <Problem error={page.error} />}
      {page.loading && <p>{t.common.loading}</p>}
      {page.value && page.value.items.length === 0 && <p>{t.log.empty}</p>}
      {page.value && page.value.items.length > 0 && (
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
            {page.value.items.map((e) => (
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
      <Pager
        first={after ? () => navigate('/audit', filters) : undefined}
        next={page.value?.nextCursor ? () => navigate('/audit', { ...filters, after: page.value!.nextCursor! }) : undefined}
      />
    </>
  );
}
