// EnforcementStore, the one writer of its tables, is the lib's own: others change them through its services.
export { EnforcementReads } from './enforcement.reads';
export { EnforcementStore } from './enforcement.store';
export { EnforcementMetricsQueries } from './enforcement-metrics.queries';
export { DirectivePlanner } from './directive-planner';
export { DeliveryService } from './delivery.service';
export { DirectivesService } from './directives.service';
export { SlaBreaches } from './sla-breaches';
export {
  ComplianceReport,
  complianceQuerySchema,
  complianceReportSchema,
  type ComplianceQuery,
  type ComplianceReportView,
} from './compliance-report';
export { OutboxRelay } from './outbox-relay';
export { EnforcementModule } from './enforcement.module';
export { EnforcementErrors } from './enforcement.errors';
export {
  DIRECTIVES_QUEUE,
  DELIVER_BATCH_JOB,
  DELIVER_JOB,
  DIRECTIVE_JOB_NAMES,
  deliverBatchJobSchema,
  deliverJobSchema,
  directivesQueue,
  jobIdOf,
  producerConnection,
  workerConnection,
  type DeliverBatchJob,
  type DeliverJob,
  type DirectiveJob,
} from './queue';
export { type DirectivePayload } from './adapters/platform-adapter';
export {
  listDirectivesQuerySchema,
  ackDirectiveSchema,
  directivePageSchema,
  ackResultSchema,
  type ListDirectivesQuery,
  type AckDirectiveInput,
  type AckResult,
} from './directives.schemas';
