import { CommonErrors, DomainError, type FieldError, formatPath } from '@ostracon/common';
import type { FastifyInstance } from 'fastify';
import { type JSONPath, visit } from 'jsonc-parser';
import secureJson from 'secure-json-parse';

/**
 * Our JSON body parser, so that an empty, malformed or ambiguous body is a problem with its own code.
 * - Only UTF-8: a `charset` parameter naming anything else is a 415 (JSON is UTF-8, RFC 8259 § 8.1).
 * - `secure` (every route by default) refuses `__proto__` / `constructor` keys, and a key given
 *   twice in one object: `JSON.parse` keeps the last one silently, so the service would act on
 *   a field its sender may not have meant (RFC 8259 § 4: names SHOULD be unique).
 * - `plain` is the sign-up routes': `JSON.parse` alone, because their strict schemas refuse any
 *   key they do not name (those two included), a repeated key there cannot change what is stored
 *   (nothing is), and each scan costs a share of a batch.
 */
export function useJsonBodies(fastify: FastifyInstance, mode: 'secure' | 'plain'): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(new DomainError(CommonErrors.unsupportedMediaType, 'JSON bodies are UTF-8; send charset=utf-8 or no charset'), undefined);
    }
    if (body.length === 0) return done(new DomainError(CommonErrors.emptyBody, 'Send a JSON body'), undefined);
    let parsed: unknown;
    try {
      parsed =
        mode === 'secure'
          ? secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' })
          : JSON.parse(body as string);
    } catch {
      return done(
        new DomainError(CommonErrors.malformedJson, 'The body is not valid JSON (or carries __proto__ / constructor keys)'),
        undefined,
      );
    }
    if (mode === 'secure') {
      const repeated = repeatedKeys(body as string);
      if (repeated.length > 0) {
        return done(new DomainError(CommonErrors.duplicateKey, 'Each key may appear once in an object', repeated), undefined);
      }
    }
    done(null, parsed);
  });
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType ? /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType) : null;
  return match ? match[1]!.toLowerCase() : undefined;
}

/** The path of every key that appears a second time in its object (the text is valid JSON). */
function repeatedKeys(json: string): FieldError[] {
  const seen: Set<string>[] = [];
  const repeated: FieldError[] = [];
  visit(json, {
    onObjectBegin: () => {
      seen.push(new Set());
    },
    onObjectEnd: () => {
      seen.pop();
    },
    onObjectProperty: (property: string, _offset: number, _length: number, _line: number, _column: number, path: () => JSONPath) => {
      const keys = seen[seen.length - 1]!;
      if (keys.has(property)) repeated.push({ path: formatPath([...path(), property]), message: 'key given more than once' });
      keys.add(property);
    },
  });
  return repeated;
}
