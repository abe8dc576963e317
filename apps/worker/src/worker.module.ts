import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@ostracon/audit';
import { ClockModule } from '@ostracon/common';
import { type AppConfig, ConfigModule } from '@ostracon/config';
import { DatabaseModule, RedisModule } from '@ostracon/database';
import { WorkerLifecycle } from './worker-lifecycle';

/** The worker process: no HTTP server. Later issues add the relay, delivery and scheduler here. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(),
        DatabaseModule.forRoot('ostracon-worker'),
        RedisModule.forRoot('ostracon-worker'),
        AuditModule,
      ],
      providers: [WorkerLifecycle],
    };
  }
}
