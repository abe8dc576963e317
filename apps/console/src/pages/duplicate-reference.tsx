import { ApiError } from '../api';
import { format, messages as t } from '../i18n';

/** The API's answer when the organisation already registered this court reference (409). */
export const isDuplicateReference = (error: unknown): boolean => error instanceof ApiError && error.code === 'ORDER.DUPLICATE_REFERENCE';

/**
 * The new-order form's warning for a court reference already registered in the organisation: what
 * it means, a link to those orders, and the confirmation that sends the order again with
 * `duplicateReferenceConfirmed: true` (the same Idempotency-Key: the refusal did not consume it).
 */
export function DuplicateReferenceWarning({ error, reference, onConfirm }: { error: unknown; reference: string; onConfirm: () => void }) {
  if (!isDuplicateReference(error)) return null;
  return (
    <div className="fr-alert fr-alert--warning fr-mb-3w" role="alert" data-testid="duplicate-reference">
      <h2 className="fr-alert__title">{t.duplicate.title}</h2>
      <p>{format(t.duplicate.text, { reference })}</p>
      <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
        <li>
          <button className="fr-btn" type="button" onClick={onConfirm} data-testid="confirm-duplicate">
            {t.duplicate.confirm}
          </button>
        </li>
        <li>
          <a
            className="fr-btn fr-btn--secondary"
            href={`#/orders?courtReference=${encodeURIComponent(reference)}`}
            target="_blank"
            rel="noopener"
            title={`${t.duplicate.open} — ${t.duplicate.newWindow}`}
          >
            {t.duplicate.open}
          </a>
        </li>
      </ul>
    </div>
  );
}
