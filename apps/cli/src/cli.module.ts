import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@ostracon/audit';
import { AuthModule } from '@ostracon/auth';
import { ClockModule } from '@ostracon/common';
import { type AppConfig, ConfigModule } from '@ostracon/config';
import { DatabaseModule } from '@ostracon/database';
import { EnforcementModule } from '@ostracon/enforcement';
import { OrdersModule } from '@ostracon/orders';
import { PrivateSetModule } from '@ostracon/private-checks';
import { PlatformsModule } from '@ostracon/platforms';

@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(),
        DatabaseModule.forRoot('ostracon-cli'),
        AuditModule,
        PlatformsModule,
        AuthModule,
        OrdersModule,
        // The stages of order changes: the CLI's demo data creates orders.
        EnforcementModule,
        PrivateSetModule,
      ],
    };
  }
}
