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

  /** How the order ended before its term (with `revokedAt`, the instant): decision 0027. */
  @Column('text', { name: 'ended_by', nullable: true })
  endedBy!: EndedBy | null;

  /** An appeal against the sentence is pending (art. 506 CPP): the order does not run. */
  @Column('timestamptz', { name: 'suspended_at', nullable: true })
  suspendedAt!: Date | null;

  @Column('timestamptz', { name: 'appealed_at', nullable: true })
  appealedAt!: Date | null;

  @Column('date', { name: 'appeal_lodged_on', nullable: true })
  appealLodgedOn!: string | null;

  @Column('text', { name: 'appeal_reference', nullable: true })
  appealReference!: string | null;

  @Column('timestamptz', { name: 'appeal_decided_at', nullable: true })
  appealDecidedAt!: Date | null;

  @Column('date', { name: 'appeal_decided_on', nullable: true })
  appealDecidedOn!: string | null;

  @Column('text', { name: 'appeal_outcome', nullable: true })
  appealOutcome!: AppealOutcome | null;

  @Column('text', { name: 'appeal_decision_reference', nullable: true })
  appealDecisionReference!: string | null;

  @Column('date', { name: 'relief_decided_on', nullable: true })
  reliefDecidedOn!: string | null;

  @Column('text', { name: 'relief_decision_reference', nullable: true })
  reliefDecisionReference!: string | null;
}

export type EndedBy = 'revocation' | 'relief' | 'appeal_quashed';
export type AppealOutcome = 'confirmed' | 'quashed';
