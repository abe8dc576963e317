import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerKey } from '@ostracon/auth';
import { CommonErrors, DomainError, PROBLEM_CONTENT_TYPE, problemFor, type AuthenticatedClient } from '@ostracon/common';
import type { FrontDoor } from '../http/http-server';
import { parseBody } from '../http/json-body';
import { requestIdOf } from '../http/request-id';
import { CHECK_ROUTES, type CheckRoute, type SignupRouteDeps, answerChecks, mayCheckSignups } from './signup-checks.routes';

/**
 * The sign-up checks' hot path: an ordinary check from a platform key this process knows is
 * answered straight from Node's HTTP server, ahead of Fastify and Nest (docs/screening.md § A lean
 * hot path). Their per-request machinery (hooks, a Request and a Reply, a child logger, an
 * AsyncResource for the body parser) cost more than the check itself: measured, this path serves
 * about twice the checks a second of the Fastify route, on the same parts.
 *
 * What a check must do is the same code as the Fastify route's (`answerChecks`): the key's rate
 * limit, the strict schema, the checks with matches recorded and audited, the counts; the same
 * body parser (`parseBody`), the same problems (`problemFor`), the same request id and request
 * metrics. Anything else goes on to Fastify, decided from the request line and headers alone,
 * before a byte of the body is read:
 * - another method or path (a query string included), or a body that is not declared JSON;
 * - no `Content-Length`, or one over the body limit (Fastify answers 413), or a chunked body;
 * - a key this process does not hold in memory (Fastify's route counts the failure against the
 *   address, or finds a key created an instant ago), or a key that may not check sign-ups (403).
 */
export function signupHotPath(deps: SignupRouteDeps, bodyLimit: number): NonNullable<FrontDoor['handle']> {
  const routes = new Map(
    CHECK_ROUTES.map((route) => [route.path as string, { route, answered: deps.metrics.httpDuration.labels('POST', route.path, '200') }]),
  );
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const entry = routes.get(req.url ?? '');
    if (!entry) return false;
    const { headers } = req;
    const contentType = headers['content-type'];
    if (contentType === undefined || !isJson(contentType) || headers['transfer-encoding'] !== undefined) return false;
    // Node's parser has already refused a malformed or repeated Content-Length; this does not rely on it.
    const declared = headers['content-length'];
    if (declared === undefined || !DIGITS.test(declared) || Number(declared) > bodyLimit) return false;
    // The key's SHA-256 once a request, for both look-ups (it was 6 % of the process's time, twice).
    const digest = deps.authenticator.keyDigest(bearerKey(headers.authorization));
    const client = deps.authenticator.knownByDigest(digest);
    if (!client || !mayCheckSignups(client)) return false;

    const started = performance.now();
    const id = requestIdOf(req);
    readBody(req, (raw) => {
      // The key again, now that the body is in: one revoked while it trickled in no longer checks
      // anything (the Fastify route authenticates at this point too).
      // (By id: a re-read of the keys, on any client's notification, holds new objects for the same clients.)
      const stillKnown = deps.authenticator.knownByDigest(digest)?.id === client.id;
      void serve(deps, entry.route, stillKnown ? client : undefined, contentType, raw, id, res).then((status) => {
        const seconds = (performance.now() - started) / 1000;
        if (status === 200) entry.answered.observe(seconds);
        else deps.metrics.httpDuration.labels('POST', entry.route.path, String(status)).observe(seconds);
      });
    });
    return true;
  };
}

const DIGITS = /^\d+$/;

/** `application/json`, with or without parameters (parseBody refuses a charset other than UTF-8). */
function isJson(contentType: string): boolean {
  return contentType === 'application/json' || contentType.startsWith('application/json;');
}

function readBody(req: IncomingMessage, done: (raw: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  // The client went away (or the server's request timeout cut it off): nobody to answer.
  req.on('error', () => undefined);
}

/** Answers one request (a client of undefined: its key was revoked meanwhile); resolves to its status. Never rejects. */
async function serve(
  deps: SignupRouteDeps,
  route: CheckRoute,
  client: AuthenticatedClient | undefined,
  contentType: string,
  raw: Buffer,
  id: string,
  res: ServerResponse,
): Promise<number> {
  try {
    if (!client) {
      throw new DomainError(CommonErrors.unauthenticated, 'Send a valid API key as "Authorization: Bearer <key>"', undefined, {
        'www-authenticate': 'Bearer',
      });
    }
    const { json, headers } = await answerChecks(deps, client, route, parseBody(contentType, raw, 'plain'));
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'x-request-id': id,
    });
    res.end(json);
    return 200;
  } catch (error) {
    const { problem, headers } = problemFor(error, id, deps.logger, route.path);
    const body = JSON.stringify(problem);
    res.writeHead(problem.status, {
      ...headers,
      'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      'content-length': Buffer.byteLength(body),
      'x-request-id': id,
    });
    res.end(body);
    deps.metrics.problems.labels(problem.code).inc();
    return problem.status;
  }
}
