import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { inject } from 'light-my-request';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClientsService, type CreatedClient } from '@ostracon/auth';
import type { Clock, Role } from '@ostracon/common';
import { type AppConfig, loadConfig } from '@ostracon/config';
import { PlatformsService } from '@ostracon/platforms';
import { ScreeningIndexService } from '@ostracon/screening';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { MetricsServer } from '../../apps/api/src/metrics/metrics.server';

/** Everything the API wrote to its log, for the tests that check what never reaches it. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    callback();
  }
  text(): string {
    return this.lines.join('');
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  /** GET of the metrics listener (not on the API's port). */
  metrics(): Promise<string>;
  dataSource: DataSource;
  logs: LogCapture;
  request(options: RequestOptions): Promise<TestResponse>;
  client(role: Role, platform?: string): Promise<CreatedClient>;
  platform(prefix?: string, settings?: { webhookUrl?: string; webhookSecret?: string; slaHours?: number }): Promise<string>;
  close(): Promise<void>;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  key?: string;
  body?: unknown;
  /** Sent as is, for malformed bodies. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** The source address the API sees (failed authentications are counted by it). */
  remoteAddress?: string;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
}

/** The real API (config from the environment npm test sets: real PostgreSQL and Redis). */
export async function startTestApp(
  options: { clock?: Clock; logLevel?: string; config?: AppConfig; waitForIndex?: boolean } = {},
): Promise<TestApp> {
  const base = options.config ?? loadConfig();
  const config = { ...base, log: { level: (options.logLevel ?? 'info') as typeof base.log.level } };
  const logs = new LogCapture();
  const app = await createApiApp({ config, clock: options.clock, logDestination: logs });
  const dataSource = app.get<DataSource>(getDataSourceToken());
  // As a load balancer would: send traffic once readiness says the sign-up index is built.
  if (options.waitForIndex !== false) await app.get(ScreeningIndexService).ready();

  // Requests go to the HTTP server's own listener, as a socket's would: the sign-up hot path
  // answers ahead of Fastify there (apps/api/src/signup-checks/signup-checks.hot-path.ts), and
  // app.inject() would go around it. light-my-request is what app.inject() runs, on that listener.
  await app.getHttpAdapter().getInstance().ready(); // as app.inject() and listen() do first
  const listener = app.getHttpServer().listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  const request = async (o: RequestOptions): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    let payload: string | Buffer | undefined;
    if (o.rawBody !== undefined) payload = o.rawBody;
    else if (o.body !== undefined) payload = JSON.stringify(o.body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const res = await inject(listener, {
      method: o.method,
      url: o.url,
      headers,
      payload,
      ...(o.remoteAddress ? { remoteAddress: o.remoteAddress } : {}),
    });
    let body: unknown;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body, text: res.body };
  };

  return {
    app,
    metrics: async () => (await fetch(app.get(MetricsServer).url)).text(),
    dataSource,
    logs,
    request,
    client: (role, platform) => app.get(ClientsService).create({ role, name: `test ${role}`, platform }, 'cli'),
    platform: async (prefix = 'p', settings = {}) => {
      const id = `${prefix}-${randomBytes(5).toString('hex')}`;
      await app.get(PlatformsService).create({ id, name: `Test platform ${id}`, ...settings }, 'cli');
      return id;
    },
    close: () => app.close(),
  };
}

/** POST /v1/orders with a fresh Idempotency-Key, as the given authority. */
export function submitOrder(api: Pick<TestApp, 'request'>, authorityKey: string | undefined, body: unknown): Promise<TestResponse> {
  return api.request({
    method: 'POST',
    url: '/v1/orders',
    key: authorityKey,
    body,
    headers: { 'idempotency-key': `test-${randomBytes(8).toString('hex')}` },
  });
}
