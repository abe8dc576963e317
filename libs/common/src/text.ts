import { z } from 'zod';

/**
 * Characters no free text of ours may hold:
 * - NUL, which PostgreSQL's `text` cannot store (it answered 500);
 * - C0 and C1 controls other than tab, line feed and carriage return: never typed by a person;
 * - the Unicode bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
 *   which make a stored value read differently from what it is (CVE-2021-42574, "Trojan
 *   Source"): a court name or a revocation reason in the audit log must read as it is stored.
 * Unpaired surrogates (which UTF-8 cannot encode) are caught by `isWellFormed`.
 * Mixed scripts are legitimate (people's and courts' names) and stay accepted.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export const TEXT_RULE_MESSAGE = 'must not contain NUL, control or bidirectional-override characters, or unpaired surrogates';

/** True when `value` is text we can store, log and show as it is. */
export function isCleanText(value: string): boolean {
  return value.isWellFormed() && !FORBIDDEN.test(value);
}

/**
 * The one string type of every request schema (body, query): a string that is clean text
 * (`isCleanText`). Chain `.trim()`, `.min()`, `.max()` as on `z.string()`. Strings with a format
 * of their own (`z.uuid()`, `z.iso.*`, `.regex()`) are clean by construction.
 */
export function text() {
  return z.string().refine(isCleanText, TEXT_RULE_MESSAGE);
}
