import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@ostracon/audit';
import { ApiAccessModule, AuthModule } from '@ostracon/auth';
import { type Clock, ClockModule } from '@ostracon/common';
import { type AppConfig, ConfigModule } from '@ostracon/config';
import { DatabaseModule, RedisModule } from '@ostracon/database';
import { EnforcementModule } from '@ostracon/enforcement';
import { OrderRequestRecord, OrdersModule } from '@ostracon/orders';
import { PlatformsModule } from '@ostracon/platforms';
import { PrivateChecksModule } from '@ostracon/private-checks';
import { NotificationsModule } from '@ostracon/notifications';
import { ScreeningModule } from '@ostracon/screening';
import { AdminController } from './admin/admin.controller';
import { AuditController } from './audit/audit.controller';
import { DirectivesController } from './directives/directives.controller';
import { EvidenceController } from './evidence/evidence.controller';
import { HealthController } from './health/health.controller';
import { Metrics } from './metrics/metrics';
import { PrivateChecksController } from './private-checks/private-checks.controller';
import { MetricsServer } from './metrics/metrics.server';
import { Idempotency } from './http/idempotency';
import { IdempotencyRecord } from './http/idempotency-record';
import { OffencesController } from './orders/offences.controller';
import { OrdersController } from './orders/orders.controller';
import { LinkedAccountsController } from './linked-accounts/linked-accounts.controller';
import { PlatformsController } from './platforms/platforms.controller';
import { ReportsController } from './reports/reports.controller';
import { AttemptsController } from './signup-checks/attempts.controller';
import { SignupMatchesController } from './signup-checks/signup-matches.controller';
import { SessionController } from './sign-in/session.controller';
import { SignInController } from './sign-in/sign-in.controller';

/** Every controller of the API; the OpenAPI document describes their routes (apps/api/src/openapi/openapi.ts). */
export const API_CONTROLLERS = [
  AdminController,
  AuditController,
  OrdersController,
  EvidenceController,
  OffencesController,
  PlatformsController,
  ReportsController,
  DirectivesController,
  SignupMatchesController,
  AttemptsController,
  PrivateChecksController,
  HealthController,
  SessionController,
  SignInController,
  LinkedAccountsController,
];

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        DatabaseModule.forRoot('ostracon-api'),
        RedisModule.forRoot('ostracon-api'),
        AuditModule,
        PlatformsModule,
        AuthModule,
        OrdersModule,
        EnforcementModule,
        ApiAccessModule,
        ScreeningModule,
        PrivateChecksModule,
        NotificationsModule,
      ],
      controllers: API_CONTROLLERS,
      providers: [
        Metrics,
        MetricsServer,
        Idempotency,
        // The request stage of order changes: an Idempotency-Key's answer in the order's transaction.
        { provide: OrderRequestRecord, useClass: IdempotencyRecord },
      ],
    };
  }
}
