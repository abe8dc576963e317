import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, defineErrors } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { IdempotencyStore } from '@ostracon/database';
import canonicalize from 'canonicalize';
import type { DataSource } from 'typeorm';

export const IdempotencyErrors = defineErrors({
  keyRequired: {
    code: 'IDEMPOTENCY.KEY_REQUIRED',
    status: 400,
    title: 'An Idempotency-Key header is required',
    when: '`POST /v1/orders` without an `Idempotency-Key` of 1–255 visible ASCII characters',
  },
  mismatch: {
    code: 'IDEMPOTENCY.MISMATCH',
    status: 422,
    title: 'This Idempotency-Key was used with another request body',
    when: 'the key was used with another body',
  },
  inFlight: {
    code: 'IDEMPOTENCY.IN_FLIGHT',
    status: 409,
    title: 'A request with this Idempotency-Key is still being processed',
    when: 'the first request with this key is still running (`Retry-After: 1`)',
  },
});

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The work an Idempotency-Key guards. Its transaction stores the answer: an order's creation
 * publishes the key, and IdempotencyRecord (the request stage of libs/orders' OrderChanges) writes it.
 */
export type IdempotentWork<T> = () => Promise<T>;

/**
 * The Idempotency-Key protocol of a creating POST (docs/errors.md): the same key and body replays
 * the first answer, the same key with another body is a 422, a retry while the first is in flight
 * a 409. An edge concern: the domain service it wraps carries the key into its transaction,
 * where IdempotencyRecord stores the answer, so that it exists exactly when the work does.
 */
@Injectable()
export class Idempotency {
  private readonly store: IdempotencyStore;
  private readonly fingerprintKey: Buffer;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.store = new IdempotencyStore(dataSource);
    // Request bodies carry identity values: their fingerprint is keyed, so it confirms nothing offline.
    this.fingerprintKey = createHmac('sha256', config.signals.peppers[0]!.key).update('ostracon:idempotency:v1').digest();
  }

  async run<T>(
    clientId: string,
    key: string | undefined,
    input: unknown,
    work: IdempotentWork<T>,
  ): Promise<{ status: number; body: T; replayed: boolean }> {
    if (!key || !KEY_PATTERN.test(key)) {
      throw new DomainError(IdempotencyErrors.keyRequired, 'Send an Idempotency-Key header of 1 to 255 visible ASCII characters');
    }
    const fingerprint = createHmac('sha256', this.fingerprintKey)
      .update(canonicalize(input) ?? '')
      .digest();
    const lockSeconds = this.config.idempotency.lockSeconds;
    const claim = await this.store.claim(clientId, key, fingerprint, lockSeconds);
    switch (claim.outcome) {
      case 'replay':
        return { status: claim.status, body: claim.body as T, replayed: true };
      case 'mismatch':
        throw new DomainError(IdempotencyErrors.mismatch);
      case 'in_flight':
        throw new DomainError(IdempotencyErrors.inFlight, 'Retry once the first request has finished', undefined, { 'retry-after': '1' });
    }
    try {
      const body = await work();
      return { status: 201, body, replayed: false };
    } catch (error) {
      // Released before the answer, so that a corrected retry is not a 409; when PostgreSQL is down
      // the answer (503) goes now and the release follows once it is back.
      await this.store
        .release(clientId, key, claim.token)
        .catch(() => void this.store.releaseEventually(clientId, key, claim.token, lockSeconds));
      throw error;
    }
  }
}
