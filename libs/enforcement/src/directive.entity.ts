import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type DirectiveType = 'suspend' | 'lift';
export type DirectiveStatus = 'pending' | 'queued' | 'delivered' | 'acknowledged' | 'failed' | 'cancelled';
export type AckOutcome = 'enforced' | 'account_not_found' | 'rejected';

/** What one platform is told to do for one order, and how far it got. */
@Entity({ name: 'directives' })
export class Directive {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('text', { name: 'platform_id' })
  platformId!: string;

  @Column('text')
  type!: DirectiveType;

  @Column('text')
  status!: DirectiveStatus;

  @Column('timestamptz', { name: 'due_at' })
  dueAt!: Date;

  @Column('timestamptz', { name: 'effective_from' })
  effectiveFrom!: Date;

  @Column('timestamptz', { name: 'effective_until' })
  effectiveUntil!: Date;

  @Column('integer')
  attempts!: number;

  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'queued_at', nullable: true })
  queuedAt!: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz', { name: 'sla_deadline', nullable: true })
  slaDeadline!: Date | null;

  @Column('timestamptz', { name: 'sla_breached_at', nullable: true })
  slaBreachedAt!: Date | null;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  @Column('text', { nullable: true })
  outcome!: AckOutcome | null;

  @Column('text', { nullable: true })
  note!: string | null;

  @Column('timestamptz', { name: 'failed_at', nullable: true })
  failedAt!: Date | null;
}
