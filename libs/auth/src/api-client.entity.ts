import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@ostracon/common';

@Entity({ name: 'api_clients' })
export class ApiClient {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('uuid', { name: 'organisation_id' })
  organisationId!: string;

  /** Its organisation's role (a composite foreign key keeps them equal). */
  @Column('text')
  role!: Role;

  @Column('text', { name: 'platform_id', nullable: true })
  platformId!: string | null;

  /** SHA-256 of the key: keys are 256 random bits, so a fast hash is enough to make a leak useless. */
  @Column('bytea', { name: 'key_hash' })
  keyHash!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** Its own sign-up check rate and burst; null: the global SIGNUP_RATE_PER_SECOND / SIGNUP_RATE_BURST. */
  @Column('double precision', { name: 'signup_rate_per_second', nullable: true })
  signupRatePerSecond!: number | null;

  @Column('integer', { name: 'signup_rate_burst', nullable: true })
  signupRateBurst!: number | null;
}
