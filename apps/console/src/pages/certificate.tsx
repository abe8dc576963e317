import { type AuditEvent, type Checkpoint, type Order, ApiError, client, ok } from '../api';
import { format, formatDateTime, messages as t } from '../i18n';
import { Loaded, Problem, Table, useLoad } from '../ui';
import { TIMELINE, eventLine, eventsOf, orderTerms } from './order';
import { usePlatformNames } from '../platforms';
import { platformState } from './orders';
import './certificate.css';

/** One directive of a platform, as the log tells it: queued, delivered (with its deadline), answered. */
interface DirectiveRecord {
  id: string;
  platform: string;
  type: string;
  deliveredAt?: string;
  deadline?: string;
  acknowledgedAt?: string;
  outcome?: string;
  slaMet?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Each directive of the order, from its `directive.*` events, in the order the log first names them. */
export function directivesOf(events: readonly AuditEvent[]): DirectiveRecord[] {
  const byId = new Map<string, DirectiveRecord>();
  for (const e of events) {
    const id = str(e.data.directiveId);
    if (!id || !e.platform || !e.type.startsWith('directive.')) continue;
    const d = byId.get(id) ?? { id, platform: e.platform, type: str(e.data.directiveType) ?? 'suspend' };
    byId.set(id, d);
    if (e.type === 'directive.delivered') Object.assign(d, { deliveredAt: e.at, deadline: str(e.data.slaDeadline) });
    if (e.type === 'directive.acknowledged') {
      Object.assign(d, { acknowledgedAt: e.at, outcome: str(e.data.outcome), slaMet: e.data.slaMet === true });
      // A platform may answer before our record of its delivery: the answer delivered it.
      d.deliveredAt ??= e.at;
    }
  }
  return [...byId.values()];
}

/** The checkpoint, or null when none was signed yet (the API answers 404 then). */
async function latestCheckpoint(): Promise<Checkpoint | null> {
  try {
    return await ok(client.GET('/v1/audit/checkpoint'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * A printable certificate of enforcement (and of revocation) of one order, for the case file: its
 * terms, each platform's directives with delivery, deadline and answer, and the log's events with
 * their sequence numbers and the signed checkpoint that includes them (`#/orders/<id>/certificate`).
 */
export function CertificatePage({ id }: { id: string }) {
  const order = useLoad(() => ok(client.GET('/v1/orders/{id}', { params: { path: { id } } })), [id]);
  const events = useLoad(() => eventsOf(id), [id]);
  const checkpoint = useLoad(latestCheckpoint, [id]);
  const { nameOf } = usePlatformNames();
  return (
    <Loaded state={order}>
      {(o) => (
        <Certificate
          order={o}
          events={events.value}
          eventsError={events.error}
          checkpoint={checkpoint.value}
          checkpointError={checkpoint.error}
          nameOf={nameOf}
        />
      )}
    </Loaded>
  );
}

function Certificate({
  order: o,
  events,
  eventsError,
  checkpoint,
  checkpointError,
  nameOf,
}: {
  order: Order;
  events?: AuditEvent[];
  eventsError?: unknown;
  checkpoint?: Checkpoint | null;
  checkpointError?: unknown;
  nameOf: (platform: string) => string;
}) {
  const shown = (events ?? []).filter((e) => TIMELINE.has(e.type));
  const directives = directivesOf(events ?? []);
  const size = checkpoint?.size ?? 0;
  const dash = t.certificate.none;
  return (
    <article className="ost-certificate" data-testid="certificate">
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left ost-certificate__actions">
        <li>
          <button
            className="fr-btn fr-icon-printer-line fr-btn--icon-left"
            type="button"
            onClick={() => window.print()}
            data-testid="print"
          >
            {t.certificate.print}
          </button>
        </li>
        <li>
          <a className="fr-btn fr-btn--secondary" href={`#/orders/${o.id}`}>
            {t.certificate.back}
          </a>
        </li>
      </ul>
      <h1 data-testid="certificate-title">{format(titleOf(o.status), { reference: o.courtReference })}</h1>
      <p className="fr-text--sm">{format(t.certificate.issued, { date: formatDateTime(new Date().toISOString()) })}</p>

      <h2>{t.certificate.terms}</h2>
      <dl className="ost-certificate__terms">
        {[
          [t.orders.courtReference, o.courtReference] as const,
          ...orderTerms(o),
          [t.orders.status, t.status[o.status]] as const,
          [t.certificate.id, o.id] as const,
        ].map(([term, value]) => (
          <div key={term}>
            <dt className="fr-text--bold">{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {o.revocation && o.revokedAt && (
        <>
          <h2 className="fr-mt-4w">{t.certificate.revocation}</h2>
          <p data-testid="revocation">
            {format(t.certificate.revokedOn, {
              date: formatDateTime(o.revokedAt),
              reason: o.revocation.reason,
              reference: o.revocation.decisionReference,
            })}
          </p>
        </>
      )}

      <h2 className="fr-mt-4w">{t.certificate.platforms}</h2>
      {eventsError !== undefined && <Problem error={eventsError} />}
      <Table testId="certificate-directives" caption={t.certificate.platforms} hideCaption>
        <thead>
          <tr>
            <th scope="col">{t.certificate.platform}</th>
            <th scope="col">{t.certificate.directive}</th>
            <th scope="col">{t.certificate.deliveredAt}</th>
            <th scope="col">{t.certificate.deadline}</th>
            <th scope="col">{t.certificate.confirmedAt}</th>
            <th scope="col">{t.certificate.timing}</th>
          </tr>
        </thead>
        <tbody>
          {o.platforms.flatMap((p) => {
            const own = directives.filter((d) => d.platform === p.platform);
            const state = platformState(p);
            if (own.length === 0) {
              return [
                <tr key={p.platform}>
                  <th scope="row">{nameOf(p.platform)}</th>
                  <td>{dash}</td>
                  <td>{dash}</td>
                  <td>{dash}</td>
                  <td>{dash}</td>
                  <td>{state.text}</td>
                </tr>,
              ];
            }
            return own.map((d) => (
              <tr key={d.id} data-testid={`directive-${p.platform}`}>
                <th scope="row">{nameOf(p.platform)}</th>
                <td>{t.order.directiveTypes[d.type] ?? d.type}</td>
                <td>{d.deliveredAt ? formatDateTime(d.deliveredAt) : dash}</td>
                <td>{d.deadline ? formatDateTime(d.deadline) : dash}</td>
                <td>
                  {d.acknowledgedAt ? `${formatDateTime(d.acknowledgedAt)} — ${t.outcomes[d.outcome ?? ''] ?? d.outcome ?? ''}` : dash}
                </td>
                <td>
                  {d.acknowledgedAt
                    ? d.slaMet
                      ? t.order.slaMet
                      : t.order.slaBreached
                    : d.type === 'suspend' && p.overdue
                      ? t.orders.overdue
                      : d.deliveredAt
                        ? t.order.slaRunning
                        : state.text}
                </td>
              </tr>
            ));
          })}
        </tbody>
      </Table>

      <h2 className="fr-mt-4w">{t.certificate.events}</h2>
      <Table testId="certificate-events" caption={t.certificate.events} hideCaption>
        <thead>
          <tr>
            <th scope="col">{t.certificate.seq}</th>
            <th scope="col">{t.certificate.at}</th>
            <th scope="col">{t.certificate.event}</th>
            <th scope="col">{t.certificate.checkpoint}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.seq} data-seq={e.seq}>
              <td>{e.seq}</td>
              <td className="ost-nowrap">{formatDateTime(e.at)}</td>
              <td>
                {eventLine(e)}
                {e.platform && (
                  <>
                    <br />
                    <span className="fr-text--xs">{nameOf(e.platform)}</span>
                  </>
                )}
              </td>
              <td>{checkpoint && e.seq <= size ? format(t.certificate.inCheckpoint, { size }) : t.certificate.notYet}</td>
            </tr>
          ))}
        </tbody>
      </Table>

      <h2 className="fr-mt-4w">{t.certificate.checkpointTitle}</h2>
      {checkpointError !== undefined && <Problem error={checkpointError} />}
      {checkpoint === null && <p>{t.certificate.noCheckpoint}</p>}
      {checkpoint && (
        <div data-testid="certificate-checkpoint">
          <p>
            {format(t.certificate.checkpointText, {
              date: formatDateTime(checkpoint.timestamp),
              size: checkpoint.size,
              keyId: checkpoint.keyId,
            })}
          </p>
          <p>
            {t.certificate.root} <span className="ost-mono">{checkpoint.rootHash}</span>
          </p>
        </div>
      )}
    </article>
  );
}

/** The certificate's title says how the order ended early, if it did (decision 0027). */
function titleOf(status: string): string {
  if (status === 'revoked') return t.certificate.revokedTitle;
  if (status === 'relieved') return t.certificate.relievedTitle;
  if (status === 'quashed') return t.certificate.quashedTitle;
  return t.certificate.title;
}
