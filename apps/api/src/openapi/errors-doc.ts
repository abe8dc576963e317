import type { CataloguedError } from '@ostracon/common';
import { ERROR_CATALOGUES } from './error-catalogues';

const HEADER = `# Problem codes

<!-- Generated from the error catalogues (apps/api/src/openapi/error-catalogues.ts) by
npm run docs:errors: change a code's words in its lib's *.errors.ts, this prose in
apps/api/src/openapi/errors-doc.ts. -->

Every error is \`application/problem+json\` (RFC 9457):
\`{ type, title, status, detail, code, errors?: [{ path, message }], traceId }\`. \`code\` is stable;
\`traceId\` equals the response's \`x-request-id\` and the \`reqId\` of the log lines. \`type\` is
\`/docs/errors#<code>\`, naming the code's section of this page; the service does not serve the page
(RFC 9457 § 3.1.1 lets a type URI be an identifier only). No problem ever carries a raw identity value.

Which codes each route answers, with their statuses, is in the OpenAPI document (\`GET /docs/json\`),
built from the same catalogues.
`;

/** A table cell: Markdown as written, with its pipes escaped. */
const cell = (text: string) => text.replaceAll('|', '\\|');

/** docs/errors.md: every code of every catalogue, once, with its status and when it is answered. */
export function renderErrorsDoc(): string {
  const seen = new Map<string, CataloguedError>();
  const sections: string[] = [];
  for (const catalogue of ERROR_CATALOGUES) {
    const rows: string[] = [];
    for (const error of Object.values(catalogue.errors)) {
      if (seen.has(error.code)) continue;
      seen.set(error.code, error);
      rows.push(`| <a id="${error.code}"></a>\`${error.code}\` | ${error.status} | ${cell(error.when)} |`);
    }
    if (rows.length === 0) continue;
    sections.push(`## ${catalogue.heading}\n\n| code | status | when |\n|---|---|---|\n${rows.join('\n')}\n`);
  }
  return `${HEADER}\n${sections.join('\n')}`;
}
