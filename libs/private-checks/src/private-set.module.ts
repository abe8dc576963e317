import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { EvaluationCounts } from './evaluation-counts';
import { OPRF_KEY_RING, OprfKeyRing } from './oprf-key-ring';
import { PrivateSetStore } from './private-set.store';
import { PrivateSetsOfOrders } from './private-sets-of-orders';
import { OrderPrivateSets } from '@ostracon/orders';

/** The OPRF keys and the private sets' store: what intake, the lifecycle and the CLI need, and the private sets' stage of order changes. */
@Module({
  providers: [
    { provide: OPRF_KEY_RING, inject: [APP_CONFIG], useFactory: (config: AppConfig) => OprfKeyRing.load(config.signals.oprfKeys) },
    PrivateSetStore,
    EvaluationCounts,
    // The private-sets stage of order changes (libs/orders' OrderChanges finds it by this token).
    { provide: OrderPrivateSets, useClass: PrivateSetsOfOrders },
  ],
  exports: [OrderPrivateSets, OPRF_KEY_RING, PrivateSetStore, EvaluationCounts],
})
export class PrivateSetModule {}
