// EnforcementStore, the one writer of its tables, is the lib's own: others change them through its services.
export { EnforcementReads } from './enforcement.reads';
export { EnforcementStore } from './enforcement.store';
export { EnforcementMetricsQueries } from './enforcement-metrics.queries';
export { DirectivePlanner } from './directive-planner';
export { DeliveryService } from './delivery.service';
export { type DeliveryOutcome } from './delivery-recorder';
export { DirectivesService } from './directives.service';
export { SlaBreaches } from './sla-breaches';
export {
  ComplianceReport,
  complianceQuerySchema,
  complianceRowSchema,
  complianceReportSchema,
  type ComplianceQuery,
  type ComplianceRow,
  type ComplianceReportView,
} from './compliance-report';
export { slaDeadline, slaMet } from './sla';
export { OutboxRelay, jobIdOf } from './outbox-relay';
export { EnforcementModule } from './enforcement.module';
export { EnforcementErrors } from './enforcement.errors';
export {
  DIRECTIVES_QUEUE,
  DELIVER_JOB,
  DIRECTIVE_JOB_NAMES,
  deliverJobSchema,
  directivesQueue,
  producerConnection,
  workerConnection,
  type DeliverJob,
} from './queue';
export {
  type DirectivePayload,
  type PlatformAdapter,
  type PlatformTarget,
  type DeliveryResult,
  type FailureClass,
  PLATFORM_ADAPTERS,
} from './adapters/platform-adapter';
export { WebhookAdapter, parseRetryAfter } from './adapters/webhook/webhook.adapter';
export { backoffDelay } from './backoff';
export {
  listDirectivesQuerySchema,
  ackDirectiveSchema,
  directivePayloadSchema,
  directivePageSchema,
  ackResultSchema,
  type ListDirectivesQuery,
  type AckDirectiveInput,
  type AckResult,
} from './directives.schemas';
