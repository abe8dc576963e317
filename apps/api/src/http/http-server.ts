import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { CommonErrors, DomainError, PROBLEM_CONTENT_TYPE, sendProblem, toProblem } from '@ostracon/common';
import type { AppConfig } from '@ostracon/config';
import type { FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';

/**
 * Requests answered straight from Node's server, ahead of Fastify: `handle` returns true when it
 * took the request, false to leave it to Fastify's routes (the sign-up checks' hot path,
 * signup-checks.hot-path.ts, set once the app's parts exist).
 */
export interface FrontDoor {
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * The HTTP server under Fastify, with bounds a slow or hostile client cannot stretch:
 * - a request must arrive whole (headers and body) within `requestTimeoutMs`, its headers within
 *   `headersTimeoutMs`; Node checks every second rather than its default 30 s, so a trickled body
 *   is cut off close to the bound;
 * - an idle kept-alive connection is closed after `keepAliveTimeoutMs`;
 * - what Node and the router refuse before any route runs (a timeout, headers too large, a
 *   malformed request, a bad URL, an over-long path segment) is answered as problem+json with a
 *   traceId, never echoing the request.
 */
export function httpServerOptions(
  config: AppConfig,
  logger: Logger,
  front: FrontDoor = {},
): Pick<FastifyServerOptions, 'serverFactory' | 'clientErrorHandler' | 'frameworkErrors'> {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = config.http;
  return {
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: requestTimeoutMs,
          headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
          keepAliveTimeout: keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
        },
        (req, res) => {
          if (front.handle?.(req, res) !== true) handler(req, res);
        },
      ),
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      // A reset connection has nobody left to answer.
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const definition =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? CommonErrors.timeout
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? CommonErrors.headersTooLarge
            : CommonErrors.badRequest;
      const traceId = randomUUID();
      const { problem } = toProblem(new DomainError(definition), traceId);
      logger.debug({ code: problem.code, traceId, reason: error.code }, 'request refused before routing');
      if (socket.writable) {
        const body = JSON.stringify(problem);
        socket.write(
          `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${traceId}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
    frameworkErrors: (error, request, reply) => {
      void reply.header('x-request-id', request.id);
      sendProblem(error, request, reply, logger);
    },
  };
}
