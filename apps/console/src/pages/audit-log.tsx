import { type FormEvent, Fragment, useState } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { type AuditEvent, type Caller, client, ok } from '../api';
import { Field } from '../field';
import { format, formatDateTime, messages as t } from '../i18n';
import { parisInstant } from '@ostracon/orders/order-terms';
import { PlatformField, usePlatformNames } from '../platforms';
import { navigate } from '../router';
import { Loaded, Table, useLoad } from '../ui';
import '../inspect.css';

const TYPES = Object.keys(t.events);
const FILTERS = ['type', 'courtReference', 'orderId', 'platform', 'from', 'to', 'order'] as const;
/** A page of the log; the API allows up to 500, the URL may ask for fewer (`limit`). */
const PAGE = 50;

type EventsQuery = NonNullable<paths['/v1/audit/events']['get']['parameters']['query']>;
type Person = { name: string; organisation: string };

/** `person:<id>@<organisation id>`, as libs/common's actorOf writes it. */
const PERSON = /^person:([0-9a-f-]{36})@([0-9a-f-]{36})$/;

/** Who an actor is, in words: a person resolved (name, organisation), else what kind of actor it is. */
function actorName(actor: string, people: Map<string, Person>): { name: string; organisation?: string } {
  const person = PERSON.exec(actor);
  if (person) {
    const known = people.get(person[1]!);
    return known ?? { name: t.log.actors.person };
  }
  if (actor.startsWith('client:')) return { name: format(t.log.actors.client, { id: actor.slice(7, 15) }) };
  if (actor === 'cli') return { name: t.log.actors.cli };
  if (actor.startsWith('system:')) return { name: format(t.log.actors.system, { name: actor.slice(7) }) };
  return { name: actor };
}

/**
 * The audit log, newest first by default, keyset-paged both ways (GET /v1/audit/events: first,
 * previous, next and last page), filtered by type, court reference, platform and time. The
 * authors of a page are resolved to names in one audited read (GET /v1/people?ids=…, which
 * writes `person.resolved`); each event's detail opens in a row under it.
 */
export function AuditLogPage({ query, caller }: { query: URLSearchParams; caller: Caller }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const order = filters.order === 'asc' ? 'asc' : 'desc';
  // A datetime-local value is a Paris wall-clock time, whatever the browser's zone.
  const instant = (v: string) => parisInstant(v)?.toISOString();
  const limit = Math.min(500, Math.max(1, Number(query.get('limit')) || PAGE));
  const params: EventsQuery = {
    limit,
    order,
    // The URL may say anything: the API refuses a type it does not know, and the page shows why.
    type: (filters.type || undefined) as EventsQuery['type'],
    courtReference: filters.courtReference || undefined,
    orderId: filters.orderId || undefined,
    platform: filters.platform || undefined,
    from: instant(filters.from),
    to: instant(filters.to),
    after: query.get('after') || undefined,
    before: query.get('before') || undefined,
    last: query.get('last') === 'true' ? 'true' : undefined,
  };
  const page = useLoad(() => ok(client.GET('/v1/audit/events', { params: { query: params } })), [JSON.stringify(params)]);
  const platforms = usePlatformNames();
  const ids = [...new Set((page.value?.items ?? []).flatMap((e) => PERSON.exec(e.actor)?.[1] ?? []))].sort();
  // One audited read for the page's authors; an id the caller may not resolve stays unnamed.
  const people = useLoad(async () => {
    const found = new Map<string, Person>();
    if (ids.length === 0) return found;
    const { items } = await ok(client.GET('/v1/people', { params: { query: { ids: ids.join(',') } } }));
    for (const p of items) found.set(p.id, { name: p.displayName ?? p.email, organisation: p.organisationName });
    return found;
  }, [ids.join(',')]);
  const [open, setOpen] = useState<number | null>(null);

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate('/audit', {
      ...Object.fromEntries(FILTERS.map((k) => [k, String(form.get(k) ?? filters[k]).trim()])),
      limit: query.get('limit') ?? undefined,
    });
  };
  const kept = { ...filters, limit: query.get('limit') ?? '' };
  const link = (cursor: Record<string, string>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...kept, ...cursor })) if (v) search.set(k, v);
    return `#/audit?${search.toString()}`;
  };
  // The same filters, every page: a download, not an API call of the page's.
  const exportParams = new URLSearchParams();
  for (const k of ['type', 'courtReference', 'orderId', 'platform', 'from', 'to'] as const) if (params[k]) exportParams.set(k, params[k]);

  const pager = page.value && {
    first: page.value.prevCursor ? link({}) : undefined,
    prev: page.value.prevCursor ? link({ before: page.value.prevCursor }) : undefined,
    next: page.value.nextCursor ? link({ after: page.value.nextCursor }) : undefined,
    last: page.value.nextCursor ? link({ last: 'true' }) : undefined,
  };

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
        <Field
          className="fr-col-12 fr-col-md-3"
          id="log-court-reference"
          label={t.log.courtReference}
          hint={t.log.courtReferenceHint}
          name="courtReference"
          defaultValue={filters.courtReference}
        />
        <PlatformField
          platforms={platforms}
          className="fr-col-12 fr-col-md-2"
          id="log-platform"
          label={t.log.platform}
          defaultValue={filters.platform}
        />
        <Field
          className="fr-col-12 fr-col-md-2"
          id="log-order"
          label={t.log.order}
          name="order"
          defaultValue={order}
          options={[
            { value: 'desc', label: t.log.newestFirst },
            { value: 'asc', label: t.log.oldestFirst },
          ]}
        />
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
      {filters.orderId && <p className="fr-text--sm">{format(t.log.ofOrder, { id: filters.orderId })}</p>}
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
              </tr>
            </thead>
            <tbody>
              {items.map((e) => {
                const who = actorName(e.actor, people.value ?? new Map());
                return (
                  <Fragment key={e.seq}>
                    <tr data-seq={e.seq}>
                      <td>
                        <span className="ost-nowrap">{e.seq}</span>
                        <br />
                        <button
                          className="fr-btn fr-btn--sm fr-btn--tertiary"
                          type="button"
                          aria-expanded={open === e.seq}
                          aria-controls={`event-${e.seq}`}
                          data-testid={`open-${e.seq}`}
                          onClick={() => setOpen(open === e.seq ? null : e.seq)}
                        >
                          {open === e.seq ? t.log.hide : t.common.details}
                        </button>
                      </td>
                      <td className="ost-nowrap">{formatDateTime(e.at)}</td>
                      <td className="fr-cell--multiline">{t.events[e.type] ?? e.type}</td>
                      <td data-testid="actor" className="fr-cell--multiline">
                        {who.name}
                        {who.organisation && (
                          <>
                            <br />
                            <span className="fr-text--xs">{who.organisation}</span>
                          </>
                        )}
                      </td>
                    </tr>
                    {open === e.seq && (
                      <tr>
                        <td colSpan={4} className="fr-cell--multiline">
                          <EventDetail event={e} who={who} caller={caller} platformName={platforms.nameOf} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </Table>
        )}
      </Loaded>
      {pager && (pager.prev || pager.next) && <Pagination {...pager} />}
    </>
  );
}

/** One event's detail, under its row: its fields in words, then the event as the log holds it. */
function EventDetail({
  event,
  who,
  caller,
  platformName,
}: {
  event: AuditEvent;
  who: { name: string; organisation?: string };
  caller: Caller;
  platformName: (id: string) => string;
}) {
  return (
    <div className="ost-event-detail" id={`event-${event.seq}`} data-testid={`event-${event.seq}`}>
      <dl className="ost-fields fr-text--sm">
        <dt>{t.log.type}</dt>
        <dd>
          {t.events[event.type] ?? event.type} <code>{event.type}</code>
        </dd>
        <dt>{t.log.actor}</dt>
        <dd>
          {who.name}
          {who.organisation ? ` — ${who.organisation}` : ''} <code className="ost-mono">{event.actor}</code>
        </dd>
        {event.orderId && (
          <>
            <dt>{t.log.orderId}</dt>
            <dd>
              <a className="fr-link fr-text--sm" href={`#/orders/${event.orderId}`}>
                {event.orderId}
              </a>
            </dd>
          </>
        )}
        {event.platform && (
          <>
            <dt>{t.log.platform}</dt>
            <dd>{platformName(event.platform)}</dd>
          </>
        )}
        <dt>{t.log.leaf}</dt>
        <dd className="ost-mono">{event.leafHash}</dd>
      </dl>
      <pre className="ost-mono ost-pre fr-text--xs">{JSON.stringify(event.data, null, 2)}</pre>
      {caller.role === 'auditor' && (
        <a className="fr-link fr-text--sm" href={`#/audit/verify?seq=${event.seq}`}>
          {t.log.verifyEvent}
        </a>
      )}
    </div>
  );
}

/** The DSFR pagination, for keyset pages: first, previous, next, last (no page numbers). */
function Pagination({ first, prev, next, last }: { first?: string; prev?: string; next?: string; last?: string }) {
  const item = (href: string | undefined, kind: string, label: string, testId: string) => (
    <li>
      {href ? (
        <a className={`fr-pagination__link fr-pagination__link--${kind}`} href={href} data-testid={testId}>
          {label}
        </a>
      ) : (
        <a className={`fr-pagination__link fr-pagination__link--${kind}`} aria-disabled="true" role="link" data-testid={testId}>
          {label}
        </a>
      )}
    </li>
  );
  return (
    <nav role="navigation" className="fr-pagination fr-mt-3w" aria-label={t.log.pagination}>
      <ul className="fr-pagination__list">
        {item(first, 'first', t.log.firstPage, 'page-first')}
        {item(prev, 'prev fr-pagination__link--lg-label', t.log.prevPage, 'page-prev')}
        {item(next, 'next fr-pagination__link--lg-label', t.log.nextPage, 'page-next')}
        {item(last, 'last', t.log.lastPage, 'page-last')}
      </ul>
    </nav>
  );
}
