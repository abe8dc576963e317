import { CommonErrors, DomainError, type FieldError, formatPath } from '@ostracon/common';
import type { FastifyInstance } from 'fastify';
import { createScanner } from 'jsonc-parser';
import secureJson from 'secure-json-parse';

/** Deeper than any body of ours, and far below what a recursive reader would choke on. */
export const MAX_JSON_DEPTH = 32;

/**
 * Our JSON body parser, so that an empty, malformed or ambiguous body is a problem with its own code.
 * - Only UTF-8: a `charset` naming anything else is a 415, and bytes that are not UTF-8 a 400 (JSON
 *   is UTF-8, RFC 8259 § 8.1; decoding them leniently would store U+FFFD in place of the text).
 * - `secure` (every route by default) refuses `__proto__` / `constructor` keys, objects and arrays
 *   nested deeper than MAX_JSON_DEPTH, and a key given twice in one object: `JSON.parse` keeps the
 *   last one silently, so the service would act on a field its sender may not have meant (RFC 8259
 *   § 4: names SHOULD be unique).
 * - `plain` is the sign-up routes': `JSON.parse` alone (iterative in V8, whatever the nesting),
 *   because their strict schemas refuse any key they do not name (those two included), a repeated
 *   key there cannot change what is stored (nothing is), and each scan costs a share of a batch.
 * Nothing here may throw: Fastify calls the parser from a stream event, where a throw would end
 * the process.
 */
export function useJsonBodies(fastify: FastifyInstance, mode: 'secure' | 'plain'): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    try {
      done(null, parseBody(request.headers['content-type'], raw as Buffer, mode));
    } catch (error) {
      done(error instanceof DomainError ? error : new DomainError(CommonErrors.malformedJson), undefined);
    }
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body of a request, parsed as useJsonBodies says; throws a DomainError (also used by the sign-up hot path). */
export function parseBody(contentType: string | undefined, raw: Buffer, mode: 'secure' | 'plain'): unknown {
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new DomainError(CommonErrors.unsupportedMediaType, 'JSON bodies are UTF-8; send charset=utf-8 or no charset');
  }
  if (raw.length === 0) throw new DomainError(CommonErrors.emptyBody, 'Send a JSON body');
  let body: string;
  try {
    body = utf8.decode(raw);
  } catch {
    throw new DomainError(CommonErrors.malformedJson, 'The body is not UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = mode === 'secure' ? secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }) : JSON.parse(body);
  } catch {
    throw new DomainError(CommonErrors.malformedJson, 'The body is not valid JSON (or carries __proto__ / constructor keys)');
  }
  if (mode === 'secure') {
    const { repeated, tooDeep } = scanKeys(body);
    if (tooDeep) throw new DomainError(CommonErrors.malformedJson, `The body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`);
    if (repeated.length > 0) throw new DomainError(CommonErrors.duplicateKey, 'Each key may appear once in an object', repeated);
  }
  return parsed;
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType ? /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType) : null;
  return match ? match[1]!.toLowerCase() : undefined;
}

// jsonc-parser's SyntaxKind (a const enum its typings do not let an isolated module read).
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const STRING = 10;
const EOF = 17;

type Frame = { kind: 'object'; keys: Set<string>; key: string; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * The path of every key given a second time in its object, in one pass over the tokens of a text
 * already known to be JSON, with a stack of its own (no recursion, so no nesting can exhaust ours).
 */
function scanKeys(json: string): { repeated: FieldError[]; tooDeep: boolean } {
  const scanner = createScanner(json, true);
  const stack: Frame[] = [];
  const repeated: FieldError[] = [];
  const path = () => stack.map((f) => (f.kind === 'object' ? f.key : f.index));
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    const top = stack[stack.length - 1];
    switch (token) {
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (stack.length >= MAX_JSON_DEPTH) return { repeated, tooDeep: true };
        stack.push(token === OPEN_BRACE ? { kind: 'object', keys: new Set(), key: '', expectKey: true } : { kind: 'array', index: 0 });
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        stack.pop();
        break;
      case COMMA:
        if (top?.kind === 'object') top.expectKey = true;
        else if (top?.kind === 'array') top.index++;
        break;
      case STRING:
        if (top?.kind === 'object' && top.expectKey) {
          top.key = scanner.getTokenValue();
          top.expectKey = false;
          if (top.keys.has(top.key)) repeated.push({ path: formatPath(path()), message: 'key given more than once' });
          top.keys.add(top.key);
        }
        break;
    }
  }
  return { repeated, tooDeep: false };
}
