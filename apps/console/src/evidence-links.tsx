import type { AuditEvent } from './api';
import { format, formatDateTime, messages as t } from './i18n';

/**
 * The attempts of an order that their platform confirmed (the latest `signup_match.reviewed` of a
 * match says `confirmed`), read from the order's events, each with its evidence file to download:
 * the JSON bundle, which verifies offline, and its PDF rendering (docs/auditing.md § Evidence file).
 */
export function confirmedAttempts(events: readonly AuditEvent[]): { match: AuditEvent; review: AuditEvent }[] {
  const latest = new Map<string, AuditEvent>();
  for (const e of events) if (e.type === 'signup_match.reviewed' && typeof e.data.matchId === 'string') latest.set(e.data.matchId, e);
  return events
    .filter((e) => e.type === 'signup.matched')
    .flatMap((match) => {
      const review = latest.get(String(match.data.matchId));
      return review && review.data.outcome === 'confirmed' ? [{ match, review }] : [];
    });
}

export function EvidenceLinks({
  orderId,
  events,
  platformName,
}: {
  orderId: string;
  events: readonly AuditEvent[];
  platformName: (id: string | null | undefined) => string;
}) {
  const confirmed = confirmedAttempts(events);
  return (
    <section data-testid="evidence">
      <h2 className="fr-mt-4w">{t.evidence.title}</h2>
      {confirmed.length === 0 ? (
        <p>{t.evidence.none}</p>
      ) : (
        <>
          <p className="fr-text--sm">{t.evidence.intro}</p>
          <ul>
            {confirmed.map(({ match, review }) => {
              const matchId = String(match.data.matchId);
              const href = `/v1/orders/${orderId}/evidence/${matchId}`;
              return (
                <li key={matchId} data-testid={`evidence-${matchId}`}>
                  {format(t.evidence.attempt, {
                    at: formatDateTime(match.at),
                    platform: platformName(match.platform),
                    confirmedAt: formatDateTime(review.at),
                  })}
                  <ul className="fr-links-group">
                    <li>
                      <a
                        className="fr-link fr-link--download"
                        href={href}
                        download={`preuve-${orderId}-${matchId}.json`}
                        data-testid="evidence-json"
                      >
                        {t.evidence.json}
                        <span className="fr-link__detail">{t.evidence.jsonDetail}</span>
                      </a>
                    </li>
                    <li>
                      <a
                        className="fr-link fr-link--download"
                        href={`${href}?format=pdf`}
                        download={`preuve-${orderId}-${matchId}.pdf`}
                        data-testid="evidence-pdf"
                      >
                        {t.evidence.pdf}
                        <span className="fr-link__detail">{t.evidence.pdfDetail}</span>
                      </a>
                    </li>
                  </ul>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
