import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { MailSender } from '@ostracon/notifications';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

/**
 * The mails of attempts, every MAIL_SWEEP_MS: a polling loop on PostgreSQL (no Redis), so an
 * outage of Redis delays nothing and loses nothing (docs/attempts.md § E-mails).
 */
@Injectable()
export class MailProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    private readonly sender: MailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.mail === false) return;
    if (!this.config.mail.smtpUrl && !this.config.mail.keep) this.logger.warn('SMTP_URL is not set: mails of attempts wait, queued');
    this.timer = setInterval(() => void this.tick(), this.config.mail.sweepMs);
    void this.tick();
  }

  /** One pass; a pass already running is joined. Failures are logged and retried at the next tick. */
  tick(): Promise<void> {
    this.running ??= this.sender
      .tick()
      .then((sent) => {
        if (sent > 0) this.logger.log(`mails: ${sent} sent`);
      })
      .catch((error: unknown) => this.logger.warn(`mails failed, will retry: ${(error as Error).message}`))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
