import { isValidPhoneNumber } from 'libphonenumber-js/min';

/**
 * What the form can check as the person types, from docs/legal.md and docs/signals.md. The API
 * checks all of it again (libs/orders order-rules.ts); this only says it sooner, on the field.
 */
export const LAW_IN_FORCE = '2024-05-23';
const DAY_MS = 86_400_000;

export type LegalBasis = 'conviction' | 'pretrial_supervision' | 'probation';

/** Code pénal 131-35-1: 6 months, 12 for a legal repeat offender under a conviction. */
export const maxMonths = (basis: LegalBasis, repeat: boolean): 6 | 12 => (basis === 'conviction' && repeat ? 12 : 6);

/** Calendar months "de quantième à quantième", as the API counts them. */
export function addMonths(at: Date, months: number): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const result = new Date(at);
  result.setUTCFullYear(y, m, Math.min(at.getUTCDate(), lastDay));
  return result;
}

/** The most days a ban starting at `start` may last. */
export const maxDays = (start: Date, basis: LegalBasis, repeat: boolean) =>
  Math.floor((addMonths(start, maxMonths(basis, repeat)).getTime() - start.getTime()) / DAY_MS);

/** Today in Paris, as YYYY-MM-DD (decision dates are French calendar dates). */
export const parisToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());

export const COURT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/;
export const looksLikeEmail = (v: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim());
export const looksLikePhone = (v: string) => {
  try {
    return isValidPhoneNumber(v.trim(), 'FR');
  } catch {
    return false;
  }
};
