export { NotificationsModule } from './notifications.module';
export { MailOutboxStore } from './mail-outbox.store';
export { MailSender } from './mail-sender';
export { attemptMail } from './attempt-mail';
