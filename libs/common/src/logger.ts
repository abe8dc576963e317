import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/**
 * Keys and identity data must never reach a log line. Fastify's request serializer logs no
 * body; these paths also cover anything that ends up in an object we log by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  '*.apiKey',
  'webhookSecret',
  '*.webhookSecret',
  'body',
  '*.body',
  'signals',
  '*.signals',
  'accounts',
  '*.accounts',
  'value',
  '*.value',
];

/**
 * Errors as log lines show them. A database error's message, `detail` and `where` can quote the
 * values of a statement (`invalid input syntax for type uuid: "…"`, `Key (…)=(…) already
 * exists`), and TypeORM's QueryFailedError carries the statement's parameters: free text and
 * digests of people. Of those we keep the SQLSTATE and the names of what failed, never values.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const e = error as Error & Record<string, unknown>;
  const driver = e.driverError instanceof Error ? (e.driverError as Error & Record<string, unknown>) : undefined;
  const database = driver ?? (typeof e.severity === 'string' && typeof e.code === 'string' ? e : undefined);
  const out: Record<string, unknown> = { type: e.name };
  if (database) {
    for (const field of ['code', 'severity', 'routine', 'schema', 'table', 'column', 'constraint', 'dataType'] as const) {
      if (typeof database[field] === 'string') out[field] = database[field];
    }
    // The statement's text has placeholders, not values; its parameters are not logged.
    if (typeof e.query === 'string') out.query = e.query.slice(0, 500);
    // The stack's first line repeats the message.
    out.stack = e.stack?.split('\n').slice(1).join('\n');
  } else {
    out.message = e.message;
    if (typeof e.code === 'string') out.code = e.code;
    out.stack = e.stack;
  }
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/**
 * Paths whose query strings carry one-time secrets of people's sign-in (the authorization code and
 * state on the way back from the provider; the provider's own endpoints at /oidc): logged without
 * their query.
 */
const SECRET_QUERY_PATHS = /^\/(auth\/callback|oidc\/)/;

/** A request as the log shows it: never a sign-in's code or state. */
export function serializeRequest(req: { method?: string; url?: string; ip?: string; headers?: Record<string, unknown> }) {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return {
    method: req.method,
    url: query >= 0 && SECRET_QUERY_PATHS.test(url) ? `${url.slice(0, query)}?[redacted]` : url,
    host: req.headers?.host,
    remoteAddress: req.ip,
  };
}

/**
 * The process's logger: JSON lines (production, or not on a terminal), or, for a person at a
 * terminal (`format: 'pretty'`, development's default there), pino-pretty in the same process:
 * one line a message, time, level and text first, the fields after.
 */
export function createLogger(options: {
  level: string;
  name: string;
  destination?: DestinationStream;
  format?: 'json' | 'pretty';
}): Logger {
  const destination =
    options.destination ??
    (options.format === 'pretty'
      ? pinoPretty({
          colorize: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service,context',
          messageFormat: '{if context}[{context}] {end}{msg}',
          singleLine: true,
        })
      : undefined);
  return pino(
    {
      name: options.name,
      level: options.level,
      serializers: { err: serializeError, error: serializeError, req: serializeRequest },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

const NEST_INVENTORY = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Lets Nest's own messages (module init, route mapping) go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    // Nest's start-up inventory (a line per module and per route) is for whoever debugs it.
    const level = context && NEST_INVENTORY.has(context) ? 'debug' : 'info';
    this.logger[level]({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}
