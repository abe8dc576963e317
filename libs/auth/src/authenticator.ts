import { Injectable } from '@nestjs/common';
import { CommonErrors, DomainError } from '@ostracon/common';
import { ApiKeyIndex } from './api-key-index';
import { RateLimiter } from './rate-limiter';
import type { AuthenticatedClient } from './roles';

const BEARER = /^Bearer (\S+)$/i;

/** The key of `Authorization: Bearer <key>`, if the header has that form. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match ? match[1] : undefined;
}

/**
 * Who is calling, from an API key: the one way every route (Nest guard, sign-up hot path, queue
 * dashboard) authenticates. A known key is answered from memory (ApiKeyIndex). Anything else is
 * a failure counted against the source address first (429 past its allowance, with
 * Retry-After), and only then looked up in PostgreSQL, for a key created an instant ago on
 * another process: a flood of made-up keys costs Redis one call per key, and PostgreSQL at most
 * the address's allowance.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly index: ApiKeyIndex,
    private readonly limiter: RateLimiter,
  ) {}

  async authenticate(apiKey: string | undefined, address: string): Promise<AuthenticatedClient> {
    if (apiKey !== undefined) {
      const known = this.index.find(apiKey);
      if (known) return known;
      // Before the first read, every key is unknown here: ask PostgreSQL without counting a failure.
      if (!this.index.ready) {
        const found = await this.index.lookup(apiKey);
        if (found) return found;
      }
    }
    const decision = await this.limiter.takeAuthFailure(address);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new DomainError(
        CommonErrors.rateLimited,
        `Too many failed authentications from this address; retry in ${seconds} s`,
        undefined,
        {
          'retry-after': String(seconds),
        },
      );
    }
    const found = apiKey !== undefined && this.index.ready ? await this.index.lookup(apiKey) : null;
    if (found) return found;
    throw new DomainError(CommonErrors.unauthenticated, 'Send a valid API key as "Authorization: Bearer <key>"', undefined, {
      'www-authenticate': 'Bearer',
    });
  }
}
