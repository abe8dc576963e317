export { OprfKeyRing } from './oprf-key-ring';
export { PrivateSetStore } from './private-set.store';
export { EvaluationCounts } from './evaluation-counts';
export { PrivateChecksService } from './private-checks.service';
export { PrivateSetModule } from './private-set.module';
export { PrivateChecksModule } from './private-checks.module';
export { PrivateCheckErrors } from './private-checks.errors';
export * from './private-checks.schemas';
