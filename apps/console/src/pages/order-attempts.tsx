import type { Caller } from '../api';
import { client, ok } from '../api';
import { messages as t } from '../i18n';
import { Loaded, useLoad } from '../ui';
import { AttemptsTable } from './attempts';

/** The order page's "Tentatives" section: the attempts on this order, each opened in place (GET /v1/attempts?order=). */
export function OrderAttempts({ orderId, caller }: { orderId: string; caller: Caller }) {
  const attempts = useLoad(() => ok(client.GET('/v1/attempts', { params: { query: { order: orderId, limit: 100 } } })), [orderId]);
  if (caller.role !== 'authority' && caller.role !== 'auditor') return null;
  return (
    <section className="fr-mt-4w" aria-labelledby="order-attempts-title" data-testid="order-attempts">
      <h2 id="order-attempts-title">{t.attempts.orderSection}</h2>
      <Loaded state={attempts} empty={t.attempts.orderEmpty} isEmpty={(p) => p.items.length === 0}>
        {({ items }) => (
          <AttemptsTable
            items={items}
            caption={t.attempts.orderCaption}
            showOrder={false}
            canOpen
            onOpened={() => undefined}
            testId="order-attempts-table"
          />
        )}
      </Loaded>
    </section>
  );
}
