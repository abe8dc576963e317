import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { PLATFORM_ADAPTERS, type PlatformAdapter } from './adapters/platform-adapter';
import { WebhookAdapter } from './adapters/webhook/webhook.adapter';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryService } from './delivery.service';
import { DirectivePlanner } from './directive-planner';
import { DirectivesService } from './directives.service';
import { EnforcementOfOrders } from './enforcement-of-orders';
import { OrderEnforcement } from '@ostracon/orders';
import { EnforcementMetricsQueries } from './enforcement-metrics.queries';
import { EnforcementReads } from './enforcement.reads';
import { EnforcementStore } from './enforcement.store';
import { OutboxRelay } from './outbox-relay';
import { SlaBreaches } from './sla-breaches';
import { ComplianceReport } from './compliance-report';

@Module({
  providers: [
    EnforcementStore,
    EnforcementReads,
    EnforcementMetricsQueries,
    DirectivePlanner,
    DeliveryRecorder,
    DeliveryService,
    DirectivesService,
    OutboxRelay,
    SlaBreaches,
    ComplianceReport,
    // The enforcement stage of order changes (libs/orders' OrderChanges finds it by this token).
    { provide: OrderEnforcement, useClass: EnforcementOfOrders },
    // How directives reach platforms; an adapter for a platform's own API goes here (adapters/README.md).
    {
      provide: PLATFORM_ADAPTERS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): PlatformAdapter[] => [
        new WebhookAdapter(config.delivery.timeoutMs, { allowPrivateAddresses: config.delivery.allowPrivateAddresses }),
      ],
    },
  ],
  exports: [
    OrderEnforcement,
    EnforcementReads,
    EnforcementMetricsQueries,
    DirectivePlanner,
    DeliveryService,
    DirectivesService,
    OutboxRelay,
    SlaBreaches,
    ComplianceReport,
  ],
})
export class EnforcementModule {}
