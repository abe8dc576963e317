import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type ApiClientsRow, CHANNELS, PgListener, queryRows } from '@ostracon/database';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { apiKeyDigestHex, hashApiKey, isWellFormedApiKey } from './api-keys';
import type { AuthenticatedClient } from '@ostracon/common';

/** A full re-read now and then, in case a notification was lost while the connection looked up. */
const RELOAD_MS = 60_000;

type ClientRow = Pick<
  ApiClientsRow,
  'id' | 'name' | 'role' | 'organisation_id' | 'platform_id' | 'key_hash' | 'signup_rate_per_second' | 'signup_rate_burst'
>;

const SELECT_ACTIVE = `SELECT id, name, role, organisation_id, platform_id, key_hash, signup_rate_per_second, signup_rate_burst
  FROM api_clients WHERE revoked_at IS NULL`;
/** `<id>:active` or `<id>:gone` (migration 1764420000000). */
const NOTICE = /^([0-9a-f-]{36}):(active|gone)$/;

/**
 * The active API clients of this process, by key hash, in memory: a presented key is checked
 * without a database read, so a flood of unknown keys never reaches PostgreSQL and a PostgreSQL
 * outage does not stop the sign-up checks. Kept fresh by NOTIFY on CHANNELS.clients (a key
 * created or revoked anywhere is known here within milliseconds), re-read in full after the
 * LISTEN connection comes back and every minute. Started by the API only.
 *
 * Revocation is final, so a revoked id is remembered (`gone`) and no read that started before it
 * can bring the key back.
 */
@Injectable()
export class ApiKeyIndex implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyIndex');
  private byHash = new Map<string, AuthenticatedClient>();
  private hashById = new Map<string, string>();
  private readonly gone = new Set<string>();
  private loaded = false;
  private started = false;
  private timer?: NodeJS.Timeout;
  private reloading: Promise<void> | null = null;
  /** A full read was asked for while one ran (its snapshot may predate what prompted the ask). */
  private reloadAgain = false;
  /** Clients created while a full read runs: read again once it is in place, so a stale snapshot never wins. */
  private notedDuringReload: Set<string> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly listener: PgListener,
  ) {}

  /** Follows api_clients from now on; resolves once the first read is done (or failed: it is retried). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.listener.subscribe(CHANNELS.clients, {
      onNotify: (payload) => this.onNotice(payload),
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
    return isWellFormedApiKey(apiKey) ? this.findByDigest(apiKeyDigestHex(apiKey)) : undefined;
  }

  /** find(), by the key's digest (apiKeyDigestHex of a well-formed key): for a caller that looks the same key up twice. */
  findByDigest(digestHex: string): AuthenticatedClient | undefined {
    return this.byHash.get(digestHex);
  }

  /**
   * Reads one key in PostgreSQL: for a key created so recently that its notification has not
   * arrived yet. Callers limit how often (libs/auth Authenticator).
   */
  async lookup(apiKey: string): Promise<AuthenticatedClient | null> {
    if (!isWellFormedApiKey(apiKey)) return null;
    const rows = await queryRows<ClientRow>(this.dataSource, `${SELECT_ACTIVE} AND key_hash = $1`, [hashApiKey(apiKey)]);
    const row = rows[0];
    if (!row || this.gone.has(row.id)) return null;
    this.add(row);
    return toClient(row);
  }

  /** A client this process just created or revoked: known here at once, whatever the notification does. */
  noteCreated(client: AuthenticatedClient, keyHash: Buffer): void {
    this.add({
      id: client.id,
      name: client.name,
      role: client.role,
      organisation_id: client.organisationId,
      platform_id: client.platformId,
      key_hash: keyHash,
      signup_rate_per_second: client.signupLimit?.ratePerSecond ?? null,
      signup_rate_burst: client.signupLimit?.burst ?? null,
    });
  }

  noteRevoked(id: string): void {
    this.gone.add(id);
    this.remove(id);
  }

  private onNotice(payload: string): void {
    const notice = NOTICE.exec(payload);
    if (!notice || !z.uuid().safeParse(notice[1]).success) return;
    const id = notice[1]!;
    if (notice[2] === 'gone') {
      this.noteRevoked(id);
      return;
    }
    this.notedDuringReload?.add(id);
    void this.readIds([id]);
  }

  /** Re-reads these clients (created meanwhile); a failure is settled by the next full read. */
  private async readIds(ids: string[]): Promise<void> {
    try {
      const rows = await queryRows<ClientRow>(this.dataSource, `${SELECT_ACTIVE} AND id = ANY($1::uuid[])`, [ids]);
      for (const row of rows) this.add(row);
    } catch (error) {
      this.logger.warn(`could not read notified clients: ${(error as Error).message}`);
    }
  }

  private reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.readAll();
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private async readAll(): Promise<void> {
    this.notedDuringReload = new Set();
    try {
      const rows = await queryRows<ClientRow>(this.dataSource, SELECT_ACTIVE);
      const byHash = new Map<string, AuthenticatedClient>();
      const hashById = new Map<string, string>();
      for (const row of rows) {
        if (this.gone.has(row.id)) continue;
        const hash = row.key_hash.toString('hex');
        byHash.set(hash, toClient(row));
        hashById.set(row.id, hash);
      }
      this.byHash = byHash;
      this.hashById = hashById;
      const noted = [...this.notedDuringReload];
      this.notedDuringReload = null;
      if (!this.loaded) this.logger.log(`${rows.length} active API client(s) loaded`);
      this.loaded = true;
      if (noted.length > 0) await this.readIds(noted);
    } catch (error) {
      this.notedDuringReload = null;
      this.logger.warn(`could not read the API clients (the keys already known stay): ${(error as Error).message}`);
    }
  }

  private add(row: ClientRow): void {
    if (this.gone.has(row.id)) return;
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
  const limited = row.signup_rate_per_second !== null || row.signup_rate_burst !== null;
  return {
    kind: 'client',
    id: row.id,
    name: row.name,
    role: row.role,
    organisationId: row.organisation_id,
    platformId: row.platform_id,
    ...(limited ? { signupLimit: { ratePerSecond: row.signup_rate_per_second, burst: row.signup_rate_burst } } : {}),
  };
}
