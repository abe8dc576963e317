import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { Metrics } from './metrics';

/**
 * Prometheus metrics on a listener of their own (METRICS_HOST:METRICS_PORT, 127.0.0.1:9464 by
 * default), not on the public API port: per-platform decision counts and queue depths are for
 * operators (docs/security.md). Started with the API's listener, closed with it.
 */
@Injectable()
export class MetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(body),
        (error: unknown) => {
          this.logger.warn(`metrics collection failed: ${(error as Error).message}`);
          response.writeHead(500, { 'content-type': 'text/plain' }).end('collection failed\n');
        },
      );
    });
    server.listen(this.config.metrics.port, this.config.metrics.host);
    await once(server, 'listening');
    this.server = server;
    this.logger.log(`metrics on ${this.url}`);
  }

  /** Where Prometheus scrapes (after `listen`). */
  get url(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the metrics listener is not started');
    return `http://${this.config.metrics.host}:${address.port}/metrics`;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    server.close();
  }
}
