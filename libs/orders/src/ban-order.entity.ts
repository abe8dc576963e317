import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { LegalBasis } from './orders.schemas';

@Entity({ name: 'ban_orders' })
export class BanOrder {
  @PrimaryColumn('uuid')
  id!: string;

  /** The authority's organisation: every key and person of it sees the order (which one submitted it is in the log). */
  @Column('uuid', { name: 'organisation_id' })
  organisationId!: string;

  @Column('text', { name: 'court_reference' })
  courtReference!: string;

  @Column('text')
  court!: string;

  @Column('date', { name: 'decision_date' })
  decisionDate!: string;

  @Column('text', { name: 'legal_basis' })
  legalBasis!: LegalBasis;

  @Column('text')
  offence!: string;

  @Column('boolean', { name: 'repeat_offender' })
  repeatOffender!: boolean;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Column('integer', { name: 'signal_count' })
  signalCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('text', { name: 'revocation_reason', nullable: true })
  revocationReason!: string | null;

  @Column('text', { name: 'revocation_decision_reference', nullable: true })
  revocationDecisionReference!: string | null;
}
