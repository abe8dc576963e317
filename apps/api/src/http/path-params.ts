import { CommonErrors, DomainError, isCleanText, sendProblem } from '@ostracon/common';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * Path parameters are ids: every one, of every route (Nest's and those registered on Fastify),
 * must be clean text (libs/common text.ts: no NUL, control character, bidirectional override or
 * unpaired surrogate) before any handler runs. A NUL reached PostgreSQL (SQLSTATE 22021) and
 * answered 500 (issue 29). Refused with REQUEST.BAD_PATH_PARAMETER, the value not echoed.
 */
export function refuseUncleanPathParameters(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    for (const value of Object.values(params)) {
      if (typeof value === 'string' && !isCleanText(value)) {
        sendProblem(new DomainError(CommonErrors.badPathParameter), request, reply, logger);
        return reply;
      }
    }
  });
}
