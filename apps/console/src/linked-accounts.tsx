import { client, ok } from './api';
import { format, formatDateTime, messages } from './i18n';
import { usePlatformNames } from './platforms';
import { Badge, ConfirmModal, Loaded, Problem, Table, useLoad } from './ui';
import { useAction } from './use-action';

const t = messages.linkedAccounts;

const tone = (status: string) => (status === 'accepted' ? 'success' : status === 'rejected' ? 'warning' : 'new');

/**
 * The person's other accounts that platforms reported on this order (decision 0026): the order's
 * authority accepts (suspended on that platform, its signals checked there) or rejects each, after
 * a confirmation, and follows the accepted account's suspend and lift. The list is an audited read.
 */
export function LinkedAccounts({ orderId, canDecide }: { orderId: string; canDecide: boolean }) {
  const reports = useLoad(() => ok(client.GET('/v1/orders/{id}/linked-accounts', { params: { path: { id: orderId } } })), [orderId]);
  const decide = useAction();
  const { nameOf } = usePlatformNames();
  const run = async (reportId: string, decision: 'accept' | 'reject') => {
    const done = await decide.run(() =>
      ok(
        client.POST('/v1/orders/{id}/linked-accounts/{reportId}/decision', {
          params: { path: { id: orderId, reportId } },
          body: { decision },
        }),
      ),
    );
    if (done) reports.reload();
  };
  return (
    <section className="fr-mt-4w" data-testid="linked-accounts">
      <h2>{t.title}</h2>
      <p>{t.intro}</p>
      {decide.error !== undefined && <Problem error={decide.error} />}
      <Loaded state={reports} empty={t.none} isEmpty={(r) => r.items.length === 0}>
        {(r) => (
          <Table testId="linked-accounts-table" caption={t.caption} hideCaption>
            <thead>
              <tr>
                <th scope="col">{t.platform}</th>
                <th scope="col">{t.account}</th>
                <th scope="col">{t.signals}</th>
                <th scope="col">{t.reportedAt}</th>
                <th scope="col">{t.state}</th>
                {canDecide && <th scope="col">{t.decision}</th>}
              </tr>
            </thead>
            <tbody>
              {r.items.map((item) => {
                const account = item.accountId ?? t.erased;
                return (
                  <tr key={item.id} data-testid={`linked-${item.id}`}>
                    <td>{nameOf(item.platform)}</td>
                    <td>{account}</td>
                    <td>
                      {item.signalTypes.length === 0
                        ? t.noSignals
                        : item.signalTypes.map((s) => messages.order.signalTypes[s] ?? s).join(', ')}
                    </td>
                    <td className="ost-nowrap">{formatDateTime(item.reportedAt)}</td>
                    <td>
                      <Badge text={t.statuses[item.status] ?? item.status} tone={tone(item.status)} />
                      {item.directives.map((d) => (
                        <p className="fr-text--sm fr-mb-0" key={d.id} data-testid={`linked-directive-${d.type}`}>
                          {format(d.type === 'suspend' ? t.directive : t.directiveLift, {
                            status: t.directiveStatuses[d.status] ?? d.status,
                          })}
                        </p>
                      ))}
                    </td>
                    {canDecide && (
                      <td>
                        {item.status === 'reported' && (
                          <ul className="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
                            <li>
                              <button
                                className="fr-btn fr-btn--sm"
                                type="button"
                                aria-controls={`linked-accept-${item.id}`}
                                data-fr-opened="false"
                                disabled={decide.pending}
                                data-testid="linked-accept"
                              >
                                {t.accept}
                                <span className="fr-sr-only"> {format(t.forAccount, { account })}</span>
                              </button>
                            </li>
                            <li>
                              <button
                                className="fr-btn fr-btn--sm fr-btn--secondary"
                                type="button"
                                aria-controls={`linked-reject-${item.id}`}
                                data-fr-opened="false"
                                disabled={decide.pending}
                                data-testid="linked-reject"
                              >
                                {t.reject}
                                <span className="fr-sr-only"> {format(t.forAccount, { account })}</span>
                              </button>
                            </li>
                          </ul>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Loaded>
      {/* The dialogs outside the table, whose scrolling box would clip them. */}
      {canDecide &&
        (reports.value?.items ?? [])
          .filter((item) => item.status === 'reported')
          .map((item) => (
            <div key={item.id}>
              <ConfirmModal
                id={`linked-accept-${item.id}`}
                title={t.acceptTitle}
                confirmLabel={t.accept}
                onConfirm={() => void run(item.id, 'accept')}
              >
                <p>{format(t.acceptText, { account: item.accountId ?? t.erased, platform: nameOf(item.platform) })}</p>
              </ConfirmModal>
              <ConfirmModal
                id={`linked-reject-${item.id}`}
                title={t.rejectTitle}
                confirmLabel={t.reject}
                onConfirm={() => void run(item.id, 'reject')}
              >
                <p>{format(t.rejectText, { account: item.accountId ?? t.erased })}</p>
              </ConfirmModal>
            </div>
          ))}
    </section>
  );
}
