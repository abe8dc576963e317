import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLOCK, type Clock, PinoNestLogger, ProblemFilter, createLogger, problemCodeOf, serializeRequest } from '@ostracon/common';
import type { AppConfig } from '@ostracon/config';
import type { DestinationStream } from 'pino';
import { LogController } from 'fastify';
import { EnforcementMetricsQueries, directivesQueue, producerConnection } from '@ostracon/enforcement';
import { ApiKeyIndex, Authenticator, RateLimiter } from '@ostracon/auth';
import { WitnessingService } from '@ostracon/audit';
import { PrivateChecksService, PrivateSetStore } from '@ostracon/private-checks';
import { ScreeningIndexService, SignupChecksService } from '@ostracon/screening';
import { registerQueueDashboard } from './admin/queue-dashboard';
import { type FrontDoor, httpServerOptions } from './http/http-server';
import { requestIdOf } from './http/request-id';
import { useJsonBodies } from './http/json-body';
import { refuseUncleanPathParameters } from './http/path-params';
import { ApiModule } from './api.module';
import { registerAuditMetrics } from './metrics/audit-metrics';
import { registerEnforcementMetrics } from './metrics/enforcement-metrics';
import { registerScreeningMetrics } from './metrics/screening-metrics';
import { registerSignupCheckRoutes } from './signup-checks/signup-checks.routes';
import { signupHotPath } from './signup-checks/signup-checks.hot-path';
import { Metrics } from './metrics/metrics';
import { MetricsServer } from './metrics/metrics.server';
import { buildOpenApiDocument } from './openapi/openapi';
import { mountLocalProvider } from './sign-in/local-provider';
import { mountDevMails } from './dev/dev-mails';
import { registerConsole } from './console/console';

export interface ApiAppOptions {
  config: AppConfig;
  clock?: Clock;
  /** Where log lines go (stdout by default); tests capture them here. */
  logDestination?: DestinationStream;
}

/** Builds the API, ready to listen: used by main.ts and, identically, by the end-to-end tests. */
export async function createApiApp(options: ApiAppOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  // Requests answered ahead of Fastify: the sign-up checks' hot path, installed once its parts exist.
  const front: FrontDoor = {};
  const logger = createLogger({
    level: config.log.level,
    name: 'ostracon-api',
    destination: options.logDestination,
    format: config.log.format,
  });
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // request.ip, which failed authentications are counted by: the socket's address, or the
    // client's as the proxies named in TRUST_PROXY report it.
    trustProxy: config.http.trustProxy,
    // For a person at a terminal: one line a request (below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: config.log.format === 'pretty' }),
    ...httpServerOptions(config, logger, front),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, options.clock), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    // The JSON parser is ours (below); no other body type is accepted.
    bodyParser: false,
  });
  app.useGlobalFilters(new ProblemFilter(logger));

  const fastify = app.getHttpAdapter().getInstance();
  // Private checks are never logged one by one: the time of an evaluation would say when someone
  // signed up (docs/private-checks.md § What the service learns). Failures (5xx) still are.
  fastify.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/private/')) route.logLevel = 'warn';
    // Probes come every few seconds and say nothing: out of the request log (a failure still is logged).
    if (route.url.startsWith('/health')) route.logLevel = 'warn';
  });
  useJsonBodies(fastify, 'secure');
  refuseUncleanPathParameters(fastify, logger);
  // People's session cookies (docs/people.md); unsigned: the value is an opaque random id.
  await fastify.register(fastifyCookie);
  if (config.signIn.localProvider) await mountLocalProvider(app, config, logger);
  if (config.env !== 'production' && config.mail.keep) mountDevMails(app, config);
  const metrics = app.get(Metrics);
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    return payload;
  });
  fastify.addHook('onResponse', async (request, reply) => {
    if (config.log.format === 'pretty') {
      // The route's own level applies (probes and private checks are not logged); the URL as the JSON log would show it.
      request.log.info(`${request.method} ${serializeRequest(request).url} → ${reply.statusCode} in ${reply.elapsedTime.toFixed(1)} ms`);
    }
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.labels(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
    const code = problemCodeOf(request);
    if (code) metrics.problems.labels(code).inc();
  });

  // The directive queue, seen from the API: metrics and the admin dashboard. Its connection
  // fails fast, so an outage shows in readiness and gauges, never as a hung request.
  const redis = producerConnection(config, 'ostracon-api-queue');
  redis.on('error', () => undefined);
  const queue = directivesQueue(redis);
  queue.on('error', () => undefined);
  registerEnforcementMetrics(metrics.registry, queue, app.get(EnforcementMetricsQueries));
  registerScreeningMetrics(metrics.registry, app.get(ScreeningIndexService), () => app.get<Clock>(CLOCK).now());
  registerAuditMetrics(metrics.registry, app.get(WitnessingService), () => app.get<Clock>(CLOCK).now());
  const signupDeps = {
    authenticator: app.get(Authenticator),
    limiter: app.get(RateLimiter),
    checks: app.get(SignupChecksService),
    metrics,
    logger,
  };
  await registerSignupCheckRoutes(fastify, signupDeps);
  front.handle = signupHotPath(signupDeps, config.http.bodyLimitBytes);
  // From the start of a shutdown, checks go through Fastify, which answers 503 with
  // `Connection: close`: a client's kept-alive connection then ends, and so can the server.
  fastify.addHook('preClose', (done) => {
    front.handle = undefined;
    done();
  });
  await registerQueueDashboard(app, queue, logger);
  await registerConsole(fastify, logger);
  fastify.addHook('onClose', async () => {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  });

  await fastify.register(fastifySwagger, {
    mode: 'static',
    specification: { document: buildOpenApiDocument(config.signIn.publicUrl) as never },
  });
  await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.init();
  // The OPRF public keys go into the audit log before the first evaluation (docs/private-checks.md).
  await app.get(PrivateChecksService).publishKeys();
  const healed = await app.get(PrivateSetStore).heal(app.get<Clock>(CLOCK).now());
  if (healed > 0) logger.warn({ healed }, 'private checks: elements missing under a configured OPRF key were computed');
  // Keys are checked from memory from now on; until the first read is done, from PostgreSQL.
  await app.get(ApiKeyIndex).start();
  // In a cluster, the primary serves every process's metrics, merged (apps/api/src/cluster.ts).
  if (cluster.isWorker) {
    // Constructing one installs prom-client's answer to the primary's requests in this process.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  } else await app.get(MetricsServer).listen();
  return app;
}
