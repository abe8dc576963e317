/** The pages load nothing and may not be framed: a refusal page cannot be dressed up by another site. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
};

/** Text for HTML: what an operator typed (an organisation's name) is never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A minimal, self-contained HTML page for the sign-in flow's answers (the console comes with its
 * own pages). Callers pass fixed text, or text through escapeHtml: nothing a request carries is
 * ever written into it.
 */
export function page(title: string, body: string, code?: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} — Ostracon</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#161616}h1{font-size:1.5rem}code{color:#666}</style></head>
<body><h1>${title}</h1>${body}${code ? `<p><code>${code}</code></p>` : ''}</body>
</html>
`;
}
