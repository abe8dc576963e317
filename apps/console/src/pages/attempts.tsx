import { Fragment, useState } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { type Caller, client, ok } from '../api';
import { format, formatDateTime, messages as t } from '../i18n';
import { navigate } from '../router';
import { Badge, Loaded, Pager, Problem, Table, useLoad } from '../ui';
import { useAction } from '../use-action';

type AttemptPage = paths['/v1/attempts']['get']['responses'][200]['content']['application/json'];
export type Attempt = AttemptPage['items'][number];
type MatchView = paths['/v1/signup-matches/{matchId}']['get']['responses'][200]['content']['application/json'];

const OUTCOME_TONE = { confirmed: 'error', not_same_person: 'success', unknown: 'warning', none: 'new' } as const;

/** The signal types of a match, as the order page names them. */
export const signalsText = (types: readonly string[]) => types.map((s) => t.order.signalTypes[s] ?? s).join(', ');

/** The platform's answer as a badge: the text carries the meaning, the colour only repeats it. */
export function OutcomeBadge({ outcome }: { outcome: Attempt['outcome'] }) {
  const key = outcome ?? 'none';
  return <Badge text={t.attempts.outcomes[key] ?? key} tone={OUTCOME_TONE[key]} />;
}

/**
 * What the authority learns of one attempt once it opens it (GET /v1/signup-matches/{matchId},
 * which marks it read): the account id only when the platform confirmed the same person.
 */
export function AttemptDetail({ match }: { match: MatchView }) {
  return (
    <div className="fr-callout fr-my-1w ost-row-detail" data-testid={`attempt-detail-${match.matchId}`}>
      <p className="fr-callout__title fr-text--md">{format(t.attempts.opened, { date: formatDateTime(match.matchedAt) })}</p>
      <p className="fr-callout__text fr-text--sm">
        {t.attempts.outcome} : <OutcomeBadge outcome={match.outcome} />
      </p>
      {match.outcome === 'confirmed' ? (
        match.accountId ? (
          <p className="fr-callout__text fr-text--sm">
            {t.attempts.account} :{' '}
            <code className="ost-mono" data-testid="attempt-account">
              {match.accountId}
            </code>
          </p>
        ) : (
          <p className="fr-callout__text fr-text--sm">{t.attempts.noAccount}</p>
        )
      ) : (
        <p className="fr-callout__text fr-text--sm">{t.attempts.hidden}</p>
      )}
    </div>
  );
}

/**
 * Attempts as a table, each opened in place: opening one is an audited read that marks it read
 * for the organisation (`onOpened` lets the page refresh its counts).
 */
export function AttemptsTable({
  items,
  caption,
  showOrder,
  canOpen,
  onOpened,
  testId,
}: {
  items: Attempt[];
  caption: string;
  showOrder: boolean;
  canOpen: boolean;
  onOpened: () => void;
  testId: string;
}) {
  const [opened, setOpened] = useState<Record<string, MatchView>>({});
  const open = useAction();
  const view = async (matchId: string) => {
    const match = await open.run(() => ok(client.GET('/v1/signup-matches/{matchId}', { params: { path: { matchId } } })));
    if (!match) return;
    setOpened((o) => ({ ...o, [matchId]: match }));
    onOpened();
  };
  const columns = showOrder ? 7 : 6;
  return (
    <>
      {open.error !== undefined && <Problem error={open.error} />}
      <Table testId={testId} caption={caption}>
        <thead>
          <tr>
            <th scope="col">{t.attempts.when}</th>
            <th scope="col">{t.attempts.platform}</th>
            <th scope="col">{t.attempts.decision}</th>
            <th scope="col">{t.attempts.signals}</th>
            <th scope="col">{t.attempts.outcome}</th>
            {showOrder && <th scope="col">{t.attempts.order}</th>}
            <th scope="col">{t.attempts.state}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <Fragment key={a.matchId}>
              <tr data-testid={`attempt-${a.matchId}`} data-read={String(a.read)}>
                <td className="ost-nowrap">{formatDateTime(a.matchedAt)}</td>
                <td className="fr-cell--multiline">{a.platformName}</td>
                <td>{t.attempts.decisions[a.decision] ?? a.decision}</td>
                <td className="fr-cell--multiline">{signalsText(a.signalTypes)}</td>
                <td>
                  <OutcomeBadge outcome={a.outcome} />
                </td>
                {showOrder && (
                  <td>
                    <a href={`#/orders/${a.orderId}`}>{t.attempts.orderLink}</a>
                  </td>
                )}
                <td>
                  {a.read || opened[a.matchId] ? (
                    <Badge text={t.attempts.read} tone="info" />
                  ) : (
                    <Badge text={t.attempts.unread} tone="new" />
                  )}
                  {canOpen && !opened[a.matchId] && (
                    <button
                      type="button"
                      className="fr-btn fr-btn--sm fr-btn--tertiary fr-mt-1w"
                      onClick={() => void view(a.matchId)}
                      disabled={open.pending}
                      title={format(t.attempts.openTitle, { date: formatDateTime(a.matchedAt) })}
                      data-testid="open-attempt"
                    >
                      {t.attempts.open}
                    </button>
                  )}
                </td>
              </tr>
              {opened[a.matchId] && (
                <tr>
                  <td colSpan={columns} className="fr-cell--multiline">
                    <AttemptDetail match={opened[a.matchId]!} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </Table>
    </>
  );
}

/** The person's choice to be told of new attempts by e-mail (PUT /v1/session/attempt-mails). */
function AttemptMails({ caller }: { caller: Caller }) {
  const [enabled, setEnabled] = useState(caller.person?.attemptMails ?? false);
  const save = useAction();
  const change = async (value: boolean) => {
    const saved = await save.run(() => ok(client.PUT('/v1/session/attempt-mails', { body: { enabled: value } })));
    if (saved) setEnabled(saved.enabled);
  };
  return (
    <fieldset className="fr-fieldset fr-mb-3w" aria-labelledby="attempt-mails-legend">
      <legend className="fr-fieldset__legend" id="attempt-mails-legend">
        {t.attempts.mailsTitle}
      </legend>
      <div className="fr-fieldset__element">
        <div className="fr-toggle">
          <input
            type="checkbox"
            className="fr-toggle__input"
            id="attempt-mails"
            aria-describedby="attempt-mails-hint"
            checked={enabled}
            disabled={save.pending}
            onChange={(e) => void change(e.currentTarget.checked)}
            data-testid="attempt-mails"
          />
          <label
            className="fr-toggle__label"
            htmlFor="attempt-mails"
            data-fr-checked-label={t.attempts.mailsOn}
            data-fr-unchecked-label={t.attempts.mailsOff}
          >
            {t.attempts.mails}
          </label>
          <p className="fr-hint-text" id="attempt-mails-hint">
            {t.attempts.mailsHint}
          </p>
        </div>
        {save.error !== undefined && <Problem error={save.error} />}
        {save.result !== undefined && (
          <p className="fr-message fr-message--valid" role="status" data-testid="attempt-mails-saved">
            {t.attempts.mailsSaved}
          </p>
        )}
      </div>
    </fieldset>
  );
}

/** The inbox (GET /v1/attempts): the attempts on the organisation's orders, newest first; auditors see all. */
export function AttemptsPage({ query, caller }: { query: URLSearchParams; caller: Caller }) {
  const after = query.get('after') ?? undefined;
  const page = useLoad(() => ok(client.GET('/v1/attempts', { params: { query: { limit: 20, after } } })), [after]);
  return (
    <>
      <h1>{t.attempts.title}</h1>
      <p>{t.attempts.intro}</p>
      {caller.kind === 'person' && caller.role === 'authority' && <AttemptMails caller={caller} />}
      <Loaded state={page} empty={t.attempts.empty} isEmpty={(p) => p.items.length === 0}>
        {({ items }) => (
          <AttemptsTable
            items={items}
            caption={caller.role === 'auditor' ? t.attempts.captionAll : t.attempts.caption}
            showOrder
            canOpen
            onOpened={() => undefined}
            testId="attempts"
          />
        )}
      </Loaded>
      <Pager
        first={after ? () => navigate('/attempts') : undefined}
        next={page.value?.nextCursor ? () => navigate('/attempts', { after: page.value!.nextCursor! }) : undefined}
      />
    </>
  );
}
