import type { KeyRingCipher } from '@ostracon/common';
import type { DirectivePayload } from './adapters/platform-adapter';
import type { DirectiveToSend } from './enforcement.types';
import { slaDeadline } from './sla';

/**
 * The directive as its platform receives it (pushed or pulled), with its accounts opened for this
 * delivery only. `slaDeadline` is the one already stamped, or the one a delivery now would get.
 */
export function directivePayload(d: DirectiveToSend, cipher: KeyRingCipher, now: Date): DirectivePayload {
  const accounts =
    d.accountsEnc && d.accountsKeyId
      ? (JSON.parse(
          cipher
            // A linked account is sealed under its report's id (libs/orders LinkedAccountsService).
            .open(
              { keyId: d.accountsKeyId, data: d.accountsEnc },
              d.linkedReportId ? `linked:${d.linkedReportId}` : `${d.orderId}|${d.platformId}`,
            )
            .toString('utf8'),
        ) as DirectivePayload['accounts'])
      : [];
  return {
    id: d.id,
    type: d.type,
    orderId: d.orderId,
    accounts,
    effectiveFrom: d.effectiveFrom.toISOString(),
    effectiveUntil: d.effectiveUntil.toISOString(),
    slaDeadline: (d.slaDeadline ?? slaDeadline(now, d.slaHours)).toISOString(),
  };
}
