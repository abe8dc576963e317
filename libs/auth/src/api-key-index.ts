import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CHANNELS, PgListener } from '@ostracon/database';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { hashApiKey, isWellFormedApiKey } from './api-keys';
import type { AuthenticatedClient, Role } from './roles';

/** A full re-read now and then, in case a notification was lost while the connection looked up. */
const RELOAD_MS = 60_000;

interface ClientRow {
  id: string;
  name: string;
  role: Role;
  platform_id: string | null;
  key_hash: Buffer;
}

const SELECT_ACTIVE = `SELECT id, name, role, platform_id, key_hash FROM api_clients WHERE revoked_at IS NULL`;

/**
 * The active API clients of this process, by key hash, in memory: a presented key is checked
 * without a database read, so a flood of unknown keys never reaches PostgreSQL and a PostgreSQL
 * outage does not stop the sign-up checks. Kept fresh by NOTIFY on CHANNELS.clients (a key
 * created or revoked anywhere is known here within milliseconds), re-read in full after the
 * LISTEN connection comes back and every minute. Started by the API only.
 */
@Injectable()
export class ApiKeyIndex implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyIndex');
  private byHash = new Map<string, AuthenticatedClient>();
  private hashById = new Map<string, string>();
  private loaded = false;
  private started = false;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<void> | null = null;
  /** Clients notified while a full read runs: read again once it is in place, so a stale snapshot never wins. */
  private notedDuringReload: Set<string> | null = null;
  private notifications = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly listener: PgListener,
  ) {}

  /** Follows api_clients from now on; resolves once the first read is done (or failed: it is retried). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.listener.subscribe(CHANNELS.clients, {
      onNotify: (id) => void this.refresh(id),
      onResume: () => void this.reload(),
    });
    await this.reload();
    this.timer = setInterval(() => void this.reload(), RELOAD_MS);
    this.timer.unref();
  }

  /** Whether the first full read has been done. */
  get ready(): boolean {
    return this.loaded;
  }

  /** The client of a key, from memory; undefined when this process does not know the key. */
  find(apiKey: string): AuthenticatedClient | undefined {
    if (!isWellFormedApiKey(apiKey)) return undefined;
    return this.byHash.get(hashApiKey(apiKey).toString('hex'));
  }

  /**
   * Reads one key in PostgreSQL: for a key created so recently that its notification has not
   * arrived yet, or before the first read. Callers limit how often (libs/auth Authenticator).
   */
  async lookup(apiKey: string): Promise<AuthenticatedClient | null> {
    if (!isWellFormedApiKey(apiKey)) return null;
    const notifiedBefore = this.notifications;
    const rows: ClientRow[] = await this.dataSource.query(`${SELECT_ACTIVE} AND key_hash = $1`, [hashApiKey(apiKey)]);
    const row = rows[0];
    if (!row) return null;
    // Kept only if no notification came meanwhile: a revocation read after our row must win.
    if (this.notifications === notifiedBefore) this.add(row);
    return toClient(row);
  }

  /** A client this process just created or revoked: known here at once, whatever the notification does. */
  noteCreated(client: AuthenticatedClient, keyHash: Buffer): void {
    this.add({ id: client.id, name: client.name, role: client.role, platform_id: client.platformId, key_hash: keyHash });
  }

  noteRevoked(id: string): void {
    this.remove(id);
  }

  /** A notified client: dropped at once (a revocation must bite now), then re-read. */
  private async refresh(id: string): Promise<void> {
    if (!z.uuid().safeParse(id).success) return;
    this.notifications++;
    this.remove(id);
    this.notedDuringReload?.add(id);
    try {
      const rows: ClientRow[] = await this.dataSource.query(`${SELECT_ACTIVE} AND id = $1`, [id]);
      if (rows[0]) this.add(rows[0]);
    } catch (error) {
      // The next full read (on reconnection, or within a minute) settles it.
      this.logger.warn(`could not re-read a notified client: ${(error as Error).message}`);
    }
  }

  private reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      this.notedDuringReload = new Set();
      try {
        const rows: ClientRow[] = await this.dataSource.query(SELECT_ACTIVE);
        const byHash = new Map<string, AuthenticatedClient>();
        const hashById = new Map<string, string>();
        for (const row of rows) {
          const hash = row.key_hash.toString('hex');
          byHash.set(hash, toClient(row));
          hashById.set(row.id, hash);
        }
        this.byHash = byHash;
        this.hashById = hashById;
        const noted = this.notedDuringReload;
        this.notedDuringReload = null;
        if (!this.loaded) this.logger.log(`${rows.length} active API client(s) loaded`);
        this.loaded = true;
        for (const id of noted) await this.refresh(id);
      } catch (error) {
        this.notedDuringReload = null;
        this.logger.warn(`could not read the API clients (the keys already known stay): ${(error as Error).message}`);
      }
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private add(row: ClientRow): void {
    this.remove(row.id);
    const hash = row.key_hash.toString('hex');
    this.byHash.set(hash, toClient(row));
    this.hashById.set(row.id, hash);
  }

  private remove(id: string): void {
    const hash = this.hashById.get(id);
    if (hash === undefined) return;
    this.hashById.delete(id);
    this.byHash.delete(hash);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

function toClient(row: ClientRow): AuthenticatedClient {
  return { id: row.id, name: row.name, role: row.role, platformId: row.platform_id };
}
