import { Injectable } from '@nestjs/common';
import { CommonErrors, DomainError, type AuthenticatedClient } from '@ostracon/common';
import { ApiKeyIndex } from './api-key-index';
import { apiKeyDigestHex, isWellFormedApiKey } from './api-keys';
import { RateLimiter } from './rate-limiter';
import { type Session, SessionStore } from './session.store';
import { sourceOf } from './source-address';

const BEARER = /^Bearer (\S+)$/i;

function tooMany(retryAfterMs: number): DomainError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new DomainError(CommonErrors.rateLimited, `Too many failed authentications from this address; retry in ${seconds} s`, undefined, {
    'retry-after': String(seconds),
  });
}

/**
 * Lookups in PostgreSQL of keys this process does not know, per process: a key created an instant
 * ago elsewhere still works at once, and a flood spread over many addresses still cannot turn
 * into a database read per key.
 */
const LOOKUPS_PER_SECOND = 20;
const LOOKUP_BURST = 50;

/** The key of `Authorization: Bearer <key>`, if the header has that form. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match ? match[1] : undefined;
}

/**
 * Who is calling, from an API key: the one way every route (Nest guard, sign-up hot path, queue
 * dashboard) authenticates. A known key is answered from memory (ApiKeyIndex). Anything else is
 * a failure counted against its source (an address, an IPv6 /64) first: 429 past the source's
 * allowance, with Retry-After. Within it, an unknown key is looked up in PostgreSQL (a key created
 * an instant ago on another process, whose notification is on its way), at most
 * LOOKUPS_PER_SECOND per process: a flood of made-up keys costs Redis one call per key, and
 * PostgreSQL a bounded trickle whatever the number of addresses.
 */
@Injectable()
export class Authenticator {
  private readonly lookups = { tokens: LOOKUP_BURST, at: Date.now() };

  constructor(
    private readonly index: ApiKeyIndex,
    private readonly limiter: RateLimiter,
    private readonly sessions: SessionStore,
  ) {}

  /**
   * Who a session cookie is (libs/auth SessionStore). A cookie that opens no live session is a
   * failure counted against its source like a bad key: 429 past the allowance, else 401.
   */
  async authenticateSession(cookie: string, address: string): Promise<Session> {
    // A source known to be over its allowance costs no database read, whatever cookie it sends.
    const blocked = this.limiter.blockedFor(sourceOf(address), 'person');
    if (blocked > 0) throw tooMany(blocked);
    const session = await this.sessions.find(cookie);
    if (session) return session;
    await this.countSignIn(address);
    throw new DomainError(CommonErrors.unauthenticated, 'The session has ended or expired; sign in again', undefined, {
      'www-authenticate': 'Bearer',
    });
  }

  /**
   * The client of a key this process holds in memory, or undefined: nothing counted, nothing
   * read. For the sign-up hot path, which leaves any other key to authenticate() (through Fastify).
   */
  known(apiKey: string | undefined): AuthenticatedClient | undefined {
    return this.knownByDigest(this.keyDigest(apiKey));
  }

  /**
   * known() in two steps, for the hot path, which looks its key up twice (before and after the
   * body): the key's digest once (undefined for no key or a malformed one), then each look-up by it.
   */
  keyDigest(apiKey: string | undefined): string | undefined {
    return apiKey !== undefined && isWellFormedApiKey(apiKey) ? apiKeyDigestHex(apiKey) : undefined;
  }

  knownByDigest(digest: string | undefined): AuthenticatedClient | undefined {
    return digest === undefined ? undefined : this.index.findByDigest(digest);
  }

  async authenticate(apiKey: string | undefined, address: string): Promise<AuthenticatedClient> {
    if (apiKey !== undefined) {
      const known = this.index.find(apiKey);
      if (known) return known;
    }
    await this.countFailure(address);
    const found = apiKey !== undefined && this.takeLookup() ? await this.index.lookup(apiKey) : null;
    if (found) return found;
    throw new DomainError(CommonErrors.unauthenticated, 'Send a valid API key as "Authorization: Bearer <key>"', undefined, {
      'www-authenticate': 'Bearer',
    });
  }

  /**
   * Counts a failed authentication (or a request that costs a write before anyone is known: a
   * sign-in's start or return) against its source; 429 once past the source's allowance.
   */
  async countFailure(address: string): Promise<void> {
    const decision = await this.limiter.takeAuthFailure(sourceOf(address), 'key');
    if (!decision.allowed) throw tooMany(decision.retryAfterMs);
  }

  /**
   * Counts what people cost before they are known (a sign-in's start, a return matching no
   * sign-in, a session cookie that opens nothing) against the source's people budget
   * (SIGN_IN_BURST, SIGN_IN_RATE_PER_MINUTE), sized for many people behind one address and apart
   * from the unknown keys': a flood of made-up keys never locks people out (issue 29).
   */
  async countSignIn(address: string): Promise<void> {
    const decision = await this.limiter.takeAuthFailure(sourceOf(address), 'person');
    if (!decision.allowed) throw tooMany(decision.retryAfterMs);
  }

  private takeLookup(): boolean {
    const now = Date.now();
    this.lookups.tokens = Math.min(LOOKUP_BURST, this.lookups.tokens + ((now - this.lookups.at) * LOOKUPS_PER_SECOND) / 1000);
    this.lookups.at = now;
    if (this.lookups.tokens < 1) return false;
    this.lookups.tokens -= 1;
    return true;
  }
}
