import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleDirectory } from '../console/console';

/**
 * The pages load nothing but the console's own stylesheet (the State design system, from this
 * site) and may not be framed: a refusal page cannot be dressed up by another site.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
};

/** Text for HTML: what an operator typed (an organisation's name) is never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let stylesheets: string[] | null = null;

/**
 * The console build's stylesheets (the DSFR and the console's own rules, hashed by vite), read
 * once from its index.html: the sign-in pages look like the console. None when it is not built.
 */
function consoleStylesheets(): string[] {
  if (stylesheets) return stylesheets;
  const root = consoleDirectory();
  let found: string[] = [];
  if (root) {
    const index = readFileSync(join(root, 'index.html'), 'utf8');
    found = [...index.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+\.css)"/g)]
      .map((m) => m[1]!)
      .filter((h) => h.startsWith('/console/'));
  }
  stylesheets = found;
  return found;
}

/**
 * A page of the sign-in flow (refusal, signed out, signed in), in French and in the State design
 * system like the console: its header, a title, fixed text. Callers pass fixed text, or text
 * through escapeHtml: nothing a request carries is ever written into it. `code`, the stable code
 * of a refusal, for whoever helps.
 */
export function page(title: string, body: string, code?: string, head = ''): string {
  const css = consoleStylesheets()
    .map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`)
    .join('');
  return `<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} — Ostracon</title>${head}${css}
<style>body{margin:0}</style></head>
<body>
<header role="banner" class="fr-header"><div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
<div class="fr-header__brand fr-enlarge-link"><div class="fr-header__brand-top"><div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div>
<div class="fr-header__service"><a href="/console/" title="Accueil — Ostracon"><p class="fr-header__service-title">Ostracon</p></a>
<p class="fr-header__service-tagline">Exécution des peines de bannissement des réseaux sociaux</p></div></div>
</div></div></div></header>
<main role="main" id="content" class="fr-container fr-py-6w"><h1>${title}</h1>${body}${code ? `<p class="fr-text--sm">Code : <code>${code}</code></p>` : ''}</main>
</body>
</html>
`;
}
