import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock, type AuthenticatedClient, KeyRingCipher } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { type OrganisationsRow, type PeopleRow, type SessionsRow, queryRows } from '@ostracon/database';
import type { DataSource, EntityManager } from 'typeorm';

/** 256 random bits, base64url: what the session cookie carries. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** last_seen_at is written at most this often (or a quarter of the idle time): a read per request, not a write. */
const TOUCH_EVERY_MS = 60_000;

/** How often at most a request moves a session's idle deadline (the console keeps this margin). */
export const touchEveryMs = (idleMs: number): number => Math.min(TOUCH_EVERY_MS, idleMs / 4);

export interface Session {
  caller: AuthenticatedClient;
  csrfToken: string;
  expiresAt: Date;
  idToken: string | null;
}

export interface StartedSession {
  /** The cookie's value: shown to the browser once, stored only as its SHA-256. */
  cookie: string;
  csrfToken: string;
  expiresAt: Date;
}

type SessionRow = Pick<SessionsRow, 'person_id' | 'csrf_token' | 'id_token' | 'last_seen_at' | 'expires_at'> &
  Pick<PeopleRow, 'organisation_id' | 'role'> & { organisation_name: OrganisationsRow['name'] };

const hashOf = (cookie: string) => createHash('sha256').update(cookie, 'utf8').digest();

/**
 * People's sessions, server-side in PostgreSQL (the only owner of `sessions`): an opaque cookie
 * whose SHA-256 keys a row, so a leaked table opens nothing; ended by sign-out, by the person's
 * removal, after SESSION_IDLE_MINUTES without use, and SESSION_LIFETIME_HOURS after sign-in.
 * Every check reads the row joined with `people`, so an end of any kind takes effect at once.
 */
@Injectable()
export class SessionStore {
  private readonly idTokens: IdTokenSeal;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.idTokens = new IdTokenSeal(new KeyRingCipher(config.accounts.encryptionKeys));
  }

  /** A new session for a person who just signed in, inside the sign-in's transaction. */
  async start(em: EntityManager, personId: string, idToken: string | null): Promise<StartedSession> {
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.signIn.session.lifetimeMs);
    await em.query(
      `INSERT INTO sessions (id_hash, person_id, csrf_token, id_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
      [hashOf(cookie), personId, csrfToken, idToken === null ? null : this.idTokens.seal(idToken, hashOf(cookie)), now, expiresAt],
    );
    return { cookie, csrfToken, expiresAt };
  }

  /** The live session of this cookie, or null (unknown, ended, expired, or its person removed). */
  async find(cookie: string): Promise<Session | null> {
    if (!SESSION_ID.test(cookie)) return null;
    const rows = await queryRows<SessionRow>(
      this.dataSource,
      `SELECT s.person_id, s.csrf_token, s.id_token, s.last_seen_at, s.expires_at, p.organisation_id, p.role, o.name AS organisation_name
       FROM sessions s JOIN people p ON p.id = s.person_id JOIN organisations o ON o.id = p.organisation_id
       WHERE s.id_hash = $1 AND s.ended_at IS NULL AND p.removed_at IS NULL`,
      [hashOf(cookie)],
    );
    const row = rows[0];
    if (!row) return null;
    const now = this.clock.now().getTime();
    if (now >= row.expires_at.getTime() || now - row.last_seen_at.getTime() >= this.config.signIn.session.idleMs) {
      await this.end(cookie, 'expired');
      return null;
    }
    if (now - row.last_seen_at.getTime() >= touchEveryMs(this.config.signIn.session.idleMs)) {
      await this.dataSource.query(`UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND ended_at IS NULL`, [
        hashOf(cookie),
        new Date(now),
      ]);
    }
    return {
      caller: {
        kind: 'person',
        id: row.person_id,
        name: row.organisation_name,
        role: row.role,
        organisationId: row.organisation_id,
        platformId: null,
      },
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      idToken: row.id_token === null ? null : this.idTokens.open(row.id_token, hashOf(cookie)),
    };
  }

  /**
   * Deletes sessions a day past their absolute end (ended or not, they open nothing by then):
   * the table stays the size of a day's sign-ins. Sign-ins and sign-outs stay in the audit log.
   */
  async purge(): Promise<number> {
    const rows = await queryRows(this.dataSource, `DELETE FROM sessions WHERE expires_at < $1 RETURNING 1`, [
      new Date(this.clock.now().getTime() - 86_400_000),
    ]);
    return rows.length;
  }

  /** Ends the session of this cookie (in the caller's transaction when given); whether there was a live one. */
  async end(cookie: string, reason: 'signed_out' | 'expired', em: EntityManager = this.dataSource.manager): Promise<boolean> {
    if (!SESSION_ID.test(cookie)) return false;
    const rows = await queryRows(
      em,
      `UPDATE sessions SET ended_at = $3, end_reason = $2 WHERE id_hash = $1 AND ended_at IS NULL RETURNING 1`,
      [hashOf(cookie), reason, this.clock.now()],
    );
    return rows.length > 0;
  }

  /**
   * Ends the live session of a cookie the browser still carried when it signed in again (in the
   * new sign-in's transaction): one browser, one session. Whose it was, for the log, or null.
   */
  async endReplaced(em: EntityManager, cookie: string): Promise<{ personId: string; organisationId: string } | null> {
    if (!SESSION_ID.test(cookie)) return null;
    const rows = await queryRows<Pick<SessionsRow, 'person_id'> & Pick<PeopleRow, 'organisation_id'>>(
      em,
      `UPDATE sessions s SET ended_at = $2, end_reason = 'signed_out' FROM people p
       WHERE s.id_hash = $1 AND s.ended_at IS NULL AND p.id = s.person_id
       RETURNING s.person_id, p.organisation_id`,
      [hashOf(cookie), this.clock.now()],
    );
    const row = rows[0];
    return row ? { personId: row.person_id, organisationId: row.organisation_id } : null;
  }

  /** Ends every live session of a person removed or moved to another organisation, in that change's transaction; how many. */
  async endAllOf(em: EntityManager, personId: string, reason: 'removed' | 'moved' = 'removed'): Promise<number> {
    const rows = await queryRows(
      em,
      `UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE person_id = $1 AND ended_at IS NULL RETURNING 1`,
      [personId, this.clock.now(), reason],
    );
    return rows.length;
  }
}

/**
 * The ID token kept for the sign-out hint (`id_token_hint`), sealed at rest like the webhook
 * secrets and account ids (AES-256-GCM under ACCOUNT_ENCRYPTION_KEYS, docs/security.md): it names
 * the person at the provider and would be replayable as a hint. Stored in the same text column as
 * `enc:v1:<base64url key id>:<base64url iv|tag|ciphertext>`, bound to its row by the session's
 * id hash (AAD). A value without that prefix was written before (plain text): still read, for
 * sessions open at the upgrade, until they end and are purged.
 */
class IdTokenSeal {
  constructor(private readonly cipher: KeyRingCipher) {}

  seal(idToken: string, idHash: Buffer): string {
    const sealed = this.cipher.seal(Buffer.from(idToken, 'utf8'), aadOf(idHash));
    return `${SEALED_PREFIX}${Buffer.from(sealed.keyId, 'utf8').toString('base64url')}:${sealed.data.toString('base64url')}`;
  }

  /** The token, or null when it cannot be opened (its key left the ring): sign-out then goes without the hint. */
  open(stored: string, idHash: Buffer): string | null {
    if (!stored.startsWith(SEALED_PREFIX)) return stored;
    const [keyId, data] = stored.slice(SEALED_PREFIX.length).split(':');
    try {
      const plain = this.cipher.open(
        { keyId: Buffer.from(keyId ?? '', 'base64url').toString('utf8'), data: Buffer.from(data ?? '', 'base64url') },
        aadOf(idHash),
      );
      return plain.toString('utf8');
    } catch {
      return null;
    }
  }
}

const SEALED_PREFIX = 'enc:v1:';
const aadOf = (idHash: Buffer) => `session-id-token:${idHash.toString('hex')}`;
