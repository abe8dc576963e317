import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@ostracon/config';
import { MailOutboxStore, attemptMail } from '@ostracon/notifications';
import { PAGE_HEADERS, escapeHtml, page } from '../sign-in/pages';

/** Where the mails kept in development are shown. */
export const DEV_MAILS_PATH = '/dev/mails';

/**
 * The mails the worker kept in PostgreSQL because no SMTP_URL is set (docs/attempts.md § E-mails),
 * as a page, as the development sign-in provider is a page: development only, mounted only
 * outside production and without an SMTP server, and refused again here.
 */
export function mountDevMails(app: NestFastifyApplication, config: AppConfig): void {
  if (config.env === 'production' || !config.mail.keep) throw new Error('the mails page is for development only');
  const store = app.get(MailOutboxStore);
  const mail = attemptMail(config.signIn.publicUrl);
  app
    .getHttpAdapter()
    .getInstance()
    .get(DEV_MAILS_PATH, async (_request, reply) => {
      const kept = await store.kept();
      const items = kept
        .map(
          (
            m,
          ) => `<article class="fr-card fr-mb-3w" data-mail="${escapeHtml(m.id)}"><div class="fr-card__body"><div class="fr-card__content">
<h2 class="fr-card__title">${escapeHtml(mail.subject)}</h2>
<p class="fr-card__desc">À : ${escapeHtml(m.email)} — ${escapeHtml(m.sentAt.toISOString())}</p>
<pre style="white-space:pre-wrap">${escapeHtml(mail.text)}</pre></div></div></article>`,
        )
        .join('\n');
      const body = `<p>Développement seulement : sans <code>SMTP_URL</code>, les messages sont gardés ici au lieu d’être envoyés.</p>${
        items || '<p>Aucun message.</p>'
      }`;
      return reply.headers({ ...PAGE_HEADERS, 'cache-control': 'no-store' }).send(page('Messages gardés', body));
    });
}
