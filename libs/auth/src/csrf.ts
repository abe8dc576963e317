import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request authenticated by a session cookie may go on (OWASP CSRF prevention: verify
 * the origin with standard headers, plus a synchronizer token):
 * - `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (`same-site` would admit a
 *   sibling subdomain), or `none` (typed, bookmarked) for a read. This holds for reads too: some
 *   reads are audited (`order.read`, `person.resolved`), and a link on another site must not
 *   write them in the log in someone's name;
 * - else `Origin`, when sent, must be this service's own origin;
 * - and `X-CSRF-Token` must equal the session's token (GET /v1/session gives it), compared in
 *   constant time. A cross-site page can neither read that token nor set the header without a
 *   CORS preflight, which this service never grants.
 * Otherwise safe methods pass: they change nothing.
 */
export function passesCsrfCheck(method: string, headers: IncomingHttpHeaders, publicOrigin: string, sessionToken: string): boolean {
  const site = headers['sec-fetch-site'];
  const safe = SAFE_METHODS.has(method.toUpperCase());
  if (site !== undefined && site !== 'same-origin' && !(safe && site === 'none')) return false;
  if (safe) return true;
  const origin = headers.origin;
  if (site === undefined && origin !== undefined && origin !== publicOrigin) return false;
  const token = headers['x-csrf-token'];
  if (typeof token !== 'string') return false;
  const given = Buffer.from(token, 'utf8');
  const expected = Buffer.from(sessionToken, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
