import type { KeyRingCipher } from '@ostracon/common';
import type { DirectivePayload } from './adapters/platform-adapter';
import type { DirectiveToSend } from './enforcement.store';
import { slaDeadline } from './sla';

/**
 * The directive as its platform receives it (pushed or pulled), with its accounts opened for this
 * delivery only. `slaDeadline` is the one already stamped, or the one a delivery now would get.
 */
export function directivePayload(d: DirectiveToSend, cipher: KeyRingCipher, now: Date): DirectivePayload {
  const accounts =
    d.accounts_enc && d.accounts_key_id
      ? (JSON.parse(
          cipher.open({ keyId: d.accounts_key_id, data: d.accounts_enc }, `${d.order_id}|${d.platform_id}`).toString('utf8'),
        ) as DirectivePayload['accounts'])
      : [];
  return {
    id: d.id,
    type: d.type,
    orderId: d.order_id,
    accounts,
    effectiveFrom: d.effective_from.toISOString(),
    effectiveUntil: d.effective_until.toISOString(),
    slaDeadline: (d.sla_deadline ?? slaDeadline(now, d.sla_hours)).toISOString(),
  };
}
