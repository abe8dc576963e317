import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthErrors, Authenticator, cookieNames, passesCsrfCheck } from '@ostracon/auth';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { CommonErrors, DomainError, sendProblem, type AuthenticatedClient } from '@ostracon/common';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export const DASHBOARD_PATH = '/admin/queues';

/** The API key from `Authorization: Bearer <key>`, or the password of Basic auth (so a browser can prompt). */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const bearer = /^Bearer (\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic (\S+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/**
 * The BullMQ dashboard, for admins only (a read and retry console over the directive queue): an
 * admin key (Basic auth password or Bearer), or an admin signed in (the console links here). With
 * a session, changes (retries) pass the same cross-site check as /v1, which the dashboard's own
 * requests cannot: they need a key.
 */
export async function registerQueueDashboard(app: NestFastifyApplication, queue: Queue, logger: Logger): Promise<void> {
  const authenticator = app.get(Authenticator);
  const config = app.get<AppConfig>(APP_CONFIG);
  const sessionCookie = cookieNames(config).session;
  const origin = new URL(config.signIn.publicUrl).origin;
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      let error: unknown = null;
      try {
        const cookie = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[sessionCookie];
        let client: AuthenticatedClient;
        if (request.headers.authorization === undefined && cookie !== undefined) {
          const session = await authenticator.authenticateSession(cookie, request.ip);
          if (!passesCsrfCheck(request.method, request.headers, origin, session.csrfToken)) throw new DomainError(AuthErrors.csrf);
          client = session.caller;
        } else {
          client = await authenticator.authenticate(presentedKey(request), request.ip);
        }
        if (client.role !== 'admin') error = new DomainError(CommonErrors.forbidden, 'The queue dashboard is for admin clients');
      } catch (refused) {
        error =
          refused instanceof DomainError && refused.code === CommonErrors.unauthenticated.code
            ? new DomainError(CommonErrors.unauthenticated, 'An admin API key is required (Basic auth password or Bearer)', undefined, {
                'www-authenticate': 'Basic realm="ostracon-admin"',
              })
            : refused;
      }
      if (error) {
        sendProblem(error, request, reply, logger);
        return reply;
      }
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: DASHBOARD_PATH });
  });
}
