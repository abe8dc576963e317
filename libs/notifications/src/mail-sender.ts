import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { createTransport, type Transporter } from 'nodemailer';
import { attemptMail } from './attempt-mail';
import { MailOutboxStore } from './mail-outbox.store';

/** Mails a pass claims: at most BATCH × the SMTP timeouts below, well within the store's 10-minute lease. */
const BATCH = 10;
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
/** Retries of a mail the SMTP server did not take: 1 min, doubling, at most an hour apart. */
const retryDelayMs = (attempts: number) => Math.min(3600_000, 60_000 * 2 ** Math.min(attempts, 6));

/**
 * Plans and sends the mails of attempts (docs/attempts.md § E-mails), from PostgreSQL alone: a
 * polling loop in the worker, so a Redis outage holds nothing back. With SMTP_URL, through
 * nodemailer; without it outside production, mails are kept in PostgreSQL (`transport` kept) and
 * shown at /dev/mails; without it in production, they wait, queued.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger = new Logger('MailSender');
  private transport: Transporter | null = null;

  constructor(
    private readonly outbox: MailOutboxStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One pass: plan, then send what is due. Returns how many mails were sent or kept. */
  async tick(): Promise<number> {
    const { smtpUrl, keep } = this.config.mail;
    // Planned in any case: without SMTP_URL in production, the mails wait in PostgreSQL for it.
    await this.outbox.planAttemptMails(this.clock.now());
    if (!smtpUrl && !keep) return 0;
    const due = await this.outbox.claimDue(this.clock.now(), BATCH);
    const mail = attemptMail(this.config.signIn.publicUrl);
    let sent = 0;
    for (const m of due) {
      if (!smtpUrl) {
        await this.outbox.markSent(m, 'kept', this.clock.now());
        sent += 1;
        continue;
      }
      try {
        this.transport ??= createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
        await this.transport.sendMail({ from: this.config.mail.from, to: m.email, ...mail });
        await this.outbox.markSent(m, 'smtp', this.clock.now());
        sent += 1;
      } catch (error) {
        const message = (error as Error).message.replaceAll(m.email, '<address>');
        this.logger.warn(`mail ${m.id} not sent, will retry: ${message}`);
        await this.outbox.markFailed(m, message, new Date(this.clock.now().getTime() + retryDelayMs(m.attempts)));
      }
    }
    return sent;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
