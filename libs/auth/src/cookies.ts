import type { AppConfig } from '@ostracon/config';

/**
 * The cookies of people's sessions (docs/people.md). Over https they carry the `__Host-` prefix,
 * which browsers accept only `Secure`, for `Path=/`, without `Domain`: no sibling subdomain can
 * set or shadow them. Local development over http drops the prefix and `Secure`.
 */
export function cookieNames(config: AppConfig): { session: string; attempt: string; signOut: string } {
  const prefix = config.signIn.secureCookies ? '__Host-' : '';
  // signOut: the state of the provider's sign-out in progress, checked on the way back.
  return { session: `${prefix}ostracon_session`, attempt: `${prefix}ostracon_sign_in`, signOut: `${prefix}ostracon_sign_out` };
}

/**
 * `HttpOnly` (no script reads them), `SameSite=Lax` (sent on the top-level GET back from the
 * provider, never on a cross-site POST or fetch), `Secure` over https.
 */
export function cookieOptions(config: AppConfig, maxAgeSeconds?: number) {
  return {
    httpOnly: true,
    secure: config.signIn.secureCookies,
    sameSite: 'lax' as const,
    path: '/',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}
