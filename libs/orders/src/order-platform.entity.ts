import { Column, Entity, PrimaryColumn } from 'typeorm';

export type PlatformEnforcementStatus = 'pending' | 'delivered' | 'enforced' | 'failed' | 'lifting' | 'lifted';

/** One platform named by an order: what it must suspend (encrypted) and how far enforcement got. */
@Entity({ name: 'order_platforms' })
export class OrderPlatform {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @PrimaryColumn('text', { name: 'platform_id' })
  platformId!: string;

  @Column('text')
  status!: PlatformEnforcementStatus;

  @Column('integer', { name: 'account_count' })
  accountCount!: number;

  @Column('bytea', { name: 'accounts_enc', nullable: true, select: false })
  accountsEnc!: Buffer | null;

  @Column('text', { name: 'accounts_key_id', nullable: true, select: false })
  accountsKeyId!: string | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz', { name: 'enforced_at', nullable: true })
  enforcedAt!: Date | null;

  @Column('timestamptz', { name: 'sla_deadline', nullable: true })
  slaDeadline!: Date | null;

  @Column('timestamptz', { name: 'lifted_at', nullable: true })
  liftedAt!: Date | null;

  /** enforced, account_not_found, rejected (the platform's ack), delivery_failed or cancelled_before_delivery. */
  @Column('text', { nullable: true })
  outcome!: string | null;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;
}
