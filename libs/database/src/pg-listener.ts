import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { Client } from 'pg';
import type { Channel } from './channels';

export interface Subscriber {
  /** A notification on the channel, with its payload ('' when none). */
  onNotify(payload: string): void;
  /**
   * The connection came back after a gap: notifications sent meanwhile are lost, so the
   * subscriber reads what it follows again.
   */
  onResume?(): void;
}

const RECONNECT_MS = 1000;
/**
 * A LISTEN connection only ever receives: after a silent network partition it would never learn
 * that it is dead. A query every few seconds, with a bound on its answer, finds out.
 */
const HEARTBEAT_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 3000;

/**
 * One LISTEN connection per process, shared by everything that follows a channel (the sign-up
 * index, the API-key index, the outbox relay). It connects on the first subscription,
 * reconnects after a loss every second until PostgreSQL is back, then LISTENs again and tells
 * each subscriber to catch up.
 */
@Injectable()
export class PgListener implements OnApplicationShutdown {
  private readonly logger = new Logger('PgListener');
  private readonly subscribers = new Map<Channel, Subscriber[]>();
  private client?: Client;
  private connecting: Promise<void> | null = null;
  private retry?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private stopped = false;
  private lost = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Follows a channel; resolves once this process listens on it (or will, once PostgreSQL is back). */
  async subscribe(channel: Channel, subscriber: Subscriber): Promise<void> {
    const list = this.subscribers.get(channel) ?? [];
    list.push(subscriber);
    this.subscribers.set(channel, list);
    if (!this.client) await this.connect();
    // LISTEN is idempotent: this covers a connection opened while this subscription was added.
    await this.client?.query(`LISTEN ${channel}`).catch(() => undefined);
  }

  /** Whether the connection is up (readiness may report it). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    this.connecting = this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.stopped || this.client) return;
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: 'ostracon-listen',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    client.on('notification', (message) => {
      for (const s of this.subscribers.get(message.channel as Channel) ?? []) s.onNotify(message.payload ?? '');
    });
    client.on('error', (error) => this.drop(client, error));
    client.on('end', () => this.drop(client, new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of this.subscribers.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn(`LISTEN failed (${(error as Error).message}); retrying every ${RECONNECT_MS} ms`);
      this.lost = true;
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.beat(client);
    if (this.lost) {
      this.lost = false;
      this.logger.log('LISTEN connection back; subscribers catch up');
      for (const list of this.subscribers.values()) for (const s of list) s.onResume?.();
    }
  }

  /** Checks the connection now and then; a check with no answer in time drops it. */
  private beat(client: Client): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (this.client !== client) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer to a heartbeat')), HEARTBEAT_TIMEOUT_MS);
      });
      Promise.race([client.query('SELECT 1'), timeout])
        .catch((error: unknown) => this.drop(client, error as Error))
        .finally(() => clearTimeout(timer));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private drop(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.lost = true;
    if (this.stopped) return;
    this.logger.warn(`LISTEN connection lost (${error.message}); reconnecting`);
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
