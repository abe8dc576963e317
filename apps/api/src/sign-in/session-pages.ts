import { escapeHtml, page } from './pages';

/**
 * After a sign-in whose returnTo is an API path: the page that takes the browser on to it. A
 * refresh from this page is the browser's own navigation from this site (`Sec-Fetch-Site:
 * same-origin`), where a redirect straight from the callback would still be marked `cross-site`
 * for the provider it came through, and refused by the cross-site check (docs/people.md).
 * `returnTo` is already a path of this site (sign-in.service safeReturnTo); escaped all the same.
 */
export function continuePage(returnTo: string): string {
  const to = escapeHtml(returnTo);
  return page(
    'Vous êtes connecté',
    `<p><a href="${to}">Continuer vers ${to}</a></p>`,
    undefined,
    `<meta http-equiv="refresh" content="0;url=${to}">`,
  );
}
