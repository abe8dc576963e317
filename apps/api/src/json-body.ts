import { CommonErrors, DomainError } from '@ostracon/common';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

/**
 * Our JSON body parser, so that an empty or malformed body is a problem with its own code.
 * `secure` refuses `__proto__` / `constructor` keys outright (every route by default); the
 * sign-up routes use plain JSON.parse, because their strict schemas refuse any key they do not
 * name (those two included) and nothing there merges objects, and the scan costs 10 % of a batch.
 */
export function useJsonBodies(fastify: FastifyInstance, mode: 'secure' | 'plain'): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body.length === 0) return done(new DomainError(CommonErrors.emptyBody, 'Send a JSON body'), undefined);
    try {
      done(
        null,
        mode === 'secure'
          ? secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' })
          : JSON.parse(body as string),
      );
    } catch {
      done(new DomainError(CommonErrors.malformedJson, 'The body is not valid JSON (or carries __proto__ / constructor keys)'), undefined);
    }
  });
}
