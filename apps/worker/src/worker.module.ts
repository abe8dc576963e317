import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@ostracon/audit';
import { AuthModule } from '@ostracon/auth';
import { ClockModule } from '@ostracon/common';
import { type AppConfig, ConfigModule } from '@ostracon/config';
import { DatabaseModule, RedisModule } from '@ostracon/database';
import { EnforcementModule } from '@ostracon/enforcement';
import { OrdersModule } from '@ostracon/orders';
import { NotificationsModule } from '@ostracon/notifications';
import { PrivateSetModule } from '@ostracon/private-checks';
import { SignupMatchesModule } from '@ostracon/screening';
import { AuditTreeProcessor } from './audit-tree.processor';
import { DirectiveProcessor } from './directive.processor';
import { LifecycleProcessor } from './lifecycle.processor';
import { MailProcessor } from './mail.processor';
import { OutboxRelayProcessor } from './outbox-relay.processor';
import { WorkerLifecycle } from './worker-lifecycle';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

/** The worker process: no HTTP server; outbox relay, directive delivery, order lifecycle, audit tree and checkpoints, mails. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(options.clock),
        DatabaseModule.forRoot('ostracon-worker'),
        RedisModule.forRoot('ostracon-worker'),
        AuditModule,
        EnforcementModule,
        OrdersModule,
        PrivateSetModule,
        // The attempts' stage of order changes: a purge forgets their confirmed account ids.
        SignupMatchesModule,
        AuthModule,
        NotificationsModule,
      ],
      providers: [
        { provide: WORKER_OPTIONS, useValue: options },
        WorkerLifecycle,
        OutboxRelayProcessor,
        DirectiveProcessor,
        LifecycleProcessor,
        AuditTreeProcessor,
        MailProcessor,
      ],
    };
  }
}
