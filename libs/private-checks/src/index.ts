export { OprfKeyRing, OPRF_KEY_RING, type OprfKey } from './oprf-key-ring';
export { PrivateSetStore, type SignalForElements, type SetEntry, type SetPage, type SetPosition } from './private-set.store';
export { EvaluationCounts } from './evaluation-counts';
export { PrivateSetFeed } from './private-set-feed';
export { PrivateChecksService } from './private-checks.service';
export { PrivateSetModule } from './private-set.module';
export { PrivateChecksModule } from './private-checks.module';
export { PrivateCheckErrors } from './private-checks.errors';
export * from './private-checks.schemas';
