import { isValidPhoneNumber } from 'libphonenumber-js/min';

/**
 * What the form can check as the person types, from docs/legal.md and docs/signals.md. The API
 * checks all of it again; the legal terms (the law's date, the months and days, the court
 * reference's shape) are the server's own file, libs/orders/src/order-terms.ts, so that the form
 * and the API count alike. This only says it sooner, on the field.
 */
export {
  COURT_REFERENCE,
  LAW_IN_FORCE,
  LEGAL_BASES,
  type LegalBasis,
  endOf,
  latestEnd,
  maxDurationMonths,
  parisInstant,
} from '@ostracon/orders/order-terms';

/** Today in Paris, as YYYY-MM-DD (decision dates are French calendar dates). */
export const parisToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());

export const looksLikeEmail = (v: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim());
export const looksLikePhone = (v: string) => {
  try {
    return isValidPhoneNumber(v.trim(), 'FR');
  } catch {
    return false;
  }
};
