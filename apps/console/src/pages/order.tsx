import { type ReactNode, useEffect, useRef, useState } from 'react';
import { type AuditEvent, type AuditEventPage, type Caller, type Order, client, ok } from '../api';
import { Field } from '../field';
import { OffenceLabel } from '../offence-label';
import { format, formatDate, formatDateTime, messages as t } from '../i18n';
import { useAction } from '../use-action';
import { Badge, Loaded, Problem, useLoad } from '../ui';
import { usePlatformNames } from '../platforms';
import { lateFirst, platformState } from './orders';
import { EvidenceLinks } from '../evidence-links';
import { OrderAttempts } from './order-attempts';
import { TRANSITION_EVENTS, TransitionActions, TransitionForm, TransitionNotices, statusTone } from '../order-transitions';
import { LinkedAccounts } from '../linked-accounts';

/** Every event of an order, oldest first (GET /v1/audit/events?orderId=, read page after page). */
export async function eventsOf(orderId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after: string | null = null;
  do {
    const page: AuditEventPage = await ok(
      client.GET('/v1/audit/events', { params: { query: { orderId, limit: 500, after: after ?? undefined } } }),
    );
    events.push(...page.items);
    after = page.nextCursor;
  } while (after && events.length < 5000);
  return events;
}

export const TIMELINE = new Set([
  'order.created',
  'order.activated',
  'order.expired',
  'order.revoked',
  'order.purged',
  'directive.queued',
  'directive.delivered',
  'directive.delivery_failed',
  'directive.cancelled',
  'directive.acknowledged',
  'directive.sla_breached',
  ...TRANSITION_EVENTS,
]);

export function eventLine(e: AuditEvent): string {
  const label = t.events[e.type] ?? t.appeals.events[e.type] ?? e.type;
  const detail: string[] = [];
  if (typeof e.data.directiveType === 'string') detail.push(t.order.directiveTypes[e.data.directiveType] ?? e.data.directiveType);
  if (typeof e.data.outcome === 'string') detail.push(t.outcomes[e.data.outcome] ?? e.data.outcome);
  if (e.data.slaMet === true) detail.push(t.order.slaMet);
  if (e.data.slaMet === false) detail.push(t.order.slaBreached);
  if (typeof e.data.reasonClass === 'string') detail.push(String(e.data.reasonClass));
  return detail.length ? `${label} — ${detail.join(', ')}` : label;
}

const tone = (type: string) =>
  type === 'directive.delivery_failed' || type === 'directive.sla_breached'
    ? 'ost-bad'
    : type === 'directive.acknowledged'
      ? 'ost-good'
      : '';

/** The order's terms as its page and its certificate state them: a term and its value each. */
export function orderTerms(o: Order): [string, ReactNode][] {
  return [
    [t.orders.court, o.court],
    [t.order.decisionDate, formatDate(o.decisionDate)],
    [t.order.legalBasis, t.legalBasis[o.legalBasis]],
    [t.order.offence, <OffenceLabel code={o.offence} />],
    [t.order.repeatOffender, o.repeatOffender ? t.common.yes : t.common.no],
    [t.order.startsAt, formatDateTime(o.startsAt)],
    [t.order.endsAt, formatDateTime(o.endsAt)],
    [t.order.signals, format(t.order.signalCount, { count: o.signalCount })],
  ];
}

/** An order: its terms, per platform its enforcement and timeline from the log, its attempts (order-attempts.tsx), revocation. */
export function OrderPage({ id, caller }: { id: string; caller: Caller }) {
  const order = useLoad(() => ok(client.GET('/v1/orders/{id}', { params: { path: { id } } })), [id]);
  const events = useLoad(() => eventsOf(id), [id]);
  const reload = () => (order.reload(), events.reload());
  useProgress(id, order.value, reload);
  return <Loaded state={order}>{(o) => <OrderView order={o} caller={caller} events={events} onRevoked={reload} />}</Loaded>;
}

/** Where a platform may still move without the clerk: not yet answered, or being lifted. */
const MOVING = new Set(['pending', 'delivered', 'lifting']);
export const POLL_MS = 3000;

/** What of an order's progress tells that the page is out of date. */
const progressKey = (o: Pick<Order, 'status' | 'platforms'>) =>
  JSON.stringify([o.status, o.platforms.map((p) => [p.platform, p.status, p.overdue, p.slaMet, p.liftedAt])]);

/**
 * While a platform may still move, asks every POLL_MS how far the order got (GET
 * /v1/orders/{id}/progress, not audited) and reads the order and its events again (audited) only
 * when that changed; stops once every platform is final, or when the page is left.
 */
function useProgress(id: string, order: Order | undefined, reload: () => void) {
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const shown = order ? progressKey(order) : undefined;
  const moving = order?.platforms.some((p) => MOVING.has(p.status)) ?? false;
  useEffect(() => {
    if (!shown || !moving) return;
    let live = true;
    const timer = window.setInterval(() => {
      void ok(client.GET('/v1/orders/{id}/progress', { params: { path: { id } } })).then(
        (progress) => {
          if (live && progressKey(progress) !== shown) reloadRef.current();
        },
        // A missed beat is retried at the next one; the page keeps what it shows.
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [id, shown, moving]);
}

function OrderView({
  order: o,
  caller,
  events,
  onRevoked,
}: {
  order: Order;
  caller: Caller;
  events: { value?: AuditEvent[]; error?: unknown };
  onRevoked: () => void;
}) {
  // Platforms by their name, as the list and the certificate show them (the id until the names come).
  const { nameOf } = usePlatformNames();
  const named = (id: string | null | undefined) => (id ? nameOf(id) : '');
  const general = (events.value ?? []).filter((e) => TIMELINE.has(e.type) && !e.platform);

  return (
    <>
      <p>
        <a className="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="#/orders">
          {t.common.back}
        </a>
      </p>
      <h1>{format(t.order.title, { reference: o.courtReference })}</h1>
      <Badge text={t.status[o.status]} tone={statusTone(o.status)} />
      <p className="fr-mt-2w">
        <a
          className="fr-link fr-icon-file-text-line fr-link--icon-left"
          href={`#/orders/${o.id}/certificate`}
          data-testid="certificate-link"
        >
          {t.order.certificate}
        </a>
      </p>
      {o.platforms.some((p) => MOVING.has(p.status)) && <p className="fr-text--sm">{t.order.refreshing}</p>}
      {o.revocation && o.revokedAt && (
        <div className="fr-alert fr-alert--warning fr-alert--sm fr-mt-2w">
          <p>
            {format(t.order.revoked, {
              date: formatDateTime(o.revokedAt),
              reason: o.revocation.reason,
              reference: o.revocation.decisionReference,
            })}
          </p>
        </div>
      )}
      <TransitionNotices order={o} />
      <h2 className="fr-mt-4w">{t.order.terms}</h2>
      <dl className="fr-grid-row fr-grid-row--gutters">
        {orderTerms(o).map(([term, value]) => (
          <div className="fr-col-12 fr-col-md-6" key={term}>
            <dt className="fr-text--bold">{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>

      <h2 className="fr-mt-4w">{t.order.platforms}</h2>
      {events.error !== undefined && <Problem error={events.error} />}
      <div className="fr-grid-row fr-grid-row--gutters">
        {lateFirst(o.platforms).map((p) => (
          <section className="fr-col-12 fr-col-md-6" key={p.platform} data-testid={`platform-${p.platform}`}>
            <div className="fr-card fr-card--no-arrow">
              <div className="fr-card__body">
                <div className="fr-card__content">
                  <h3 className="fr-card__title">{named(p.platform)}</h3>
                  <div className="fr-card__desc">
                    <Badge {...platformState(p)} /> <span>{format(t.order.accounts, { count: p.accountCount })}</span>
                    {p.slaDeadline && (
                      <p className="fr-mt-1w">
                        {t.order.sla} : {formatDateTime(p.slaDeadline)} —{' '}
                        {p.overdue
                          ? t.order.overdue
                          : p.slaMet === true
                            ? t.order.slaMet
                            : p.slaMet === false
                              ? t.order.slaBreached
                              : t.order.slaRunning}
                      </p>
                    )}
                    <h4 className="fr-text--md fr-mt-2w">{t.order.timeline}</h4>
                    <ol className="ost-timeline">
                      {(events.value ?? [])
                        .filter((e) => TIMELINE.has(e.type) && (e.platform === p.platform || !e.platform))
                        .map((e) => (
                          <li key={e.seq} className={tone(e.type)}>
                            <span className="fr-text--xs ost-nowrap">{formatDateTime(e.at)}</span>
                            <br />
                            {eventLine(e)}
                          </li>
                        ))}
                    </ol>
                  </div>
                </div>
              </div>
            </div>
          </section>
        ))}
      </div>
      {general.length === 0 && events.value && <p>{t.order.noEvents}</p>}

      <OrderAttempts orderId={o.id} caller={caller} />
      {events.value && <EvidenceLinks orderId={o.id} events={events.value} platformName={named} />}
      {caller.role === 'authority' && <LinkedAccounts orderId={o.id} canDecide={o.status === 'active' || o.status === 'scheduled'} />}

      {caller.role === 'authority' && <TransitionActions order={o} onDone={onRevoked} />}
      {caller.role === 'authority' && (o.status === 'active' || o.status === 'scheduled' || o.status === 'suspended') && (
        <Revoke id={o.id} onDone={onRevoked} />
      )}
    </>
  );
}

function Revoke({ id, onDone }: { id: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const revoke = useAction();
  const submit = async (form: FormData) => {
    const body = { reason: String(form.get('reason') ?? ''), decisionReference: String(form.get('decisionReference') ?? '') };
    const revoked = await revoke.run(() => ok(client.POST('/v1/orders/{id}/revoke', { params: { path: { id } }, body })));
    if (!revoked) return;
    setOpen(false);
    onDone();
  };
  if (!open) {
    return (
      <button className="fr-btn fr-btn--secondary fr-mt-4w" type="button" onClick={() => setOpen(true)} data-testid="revoke">
        {t.order.revoke}
      </button>
    );
  }
  return (
    <TransitionForm
      id="revoke"
      className="fr-mt-4w"
      title={t.order.revokeTitle}
      hint={t.order.revokeHint}
      error={revoke.error}
      pending={revoke.pending}
      onSubmit={(f) => void submit(f)}
      onCancel={() => setOpen(false)}
    >
      <Field
        className="fr-fieldset__element"
        id="revoke-reason"
        label={t.order.reason}
        name="reason"
        required
        maxLength={1000}
        error={revoke.fieldError('reason')}
      />
      <Field
        className="fr-fieldset__element"
        id="revoke-reference"
        label={t.order.decisionReference}
        name="decisionReference"
        required
        maxLength={100}
        error={revoke.fieldError('decisionReference')}
      />
    </TransitionForm>
  );
}
