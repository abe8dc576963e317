import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'platforms' })
export class Platform {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'webhook_url', nullable: true })
  webhookUrl!: string | null;

  @Column('bytea', { name: 'webhook_secret_enc', nullable: true })
  webhookSecretEnc!: Buffer | null;

  @Column('text', { name: 'webhook_secret_key_id', nullable: true })
  webhookSecretKeyId!: string | null;

  /** The secret a rotation replaced, still signing until `webhookSecretPreviousUntil` (migration 1764430000000). */
  @Column('bytea', { name: 'webhook_secret_previous_enc', nullable: true })
  webhookSecretPreviousEnc!: Buffer | null;

  @Column('text', { name: 'webhook_secret_previous_key_id', nullable: true })
  webhookSecretPreviousKeyId!: string | null;

  @Column('timestamptz', { name: 'webhook_secret_previous_until', nullable: true })
  webhookSecretPreviousUntil!: Date | null;

  @Column('integer', { name: 'sla_hours' })
  slaHours!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
