import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SignalType } from '@ostracon/identity';

/** A banned person's signal, as an HMAC of its prehash (docs/signals.md); the raw value is never kept. */
@Entity({ name: 'order_signals' })
export class OrderSignal {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('text')
  type!: SignalType;

  @Column('text', { name: 'key_id' })
  keyId!: string;

  @Column('bytea')
  digest!: Buffer;

  /** Null: matched on every platform of the order; a platform: only there (a linked account's signals, decision 0026). */
  @Column('text', { name: 'platform_id', nullable: true })
  platformId?: string | null;
}
