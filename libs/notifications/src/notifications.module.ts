import { Module } from '@nestjs/common';
import { MailOutboxStore } from './mail-outbox.store';
import { MailSender } from './mail-sender';

@Module({
  providers: [MailOutboxStore, MailSender],
  exports: [MailOutboxStore, MailSender],
})
export class NotificationsModule {}
