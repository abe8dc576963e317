export { Directive, type DirectiveType, type DirectiveStatus, type AckOutcome } from './directive.entity';
export { DirectivePlanner } from './directive-planner';
export { DeliveryService, type DeliveryOutcome } from './delivery.service';
export { DirectivesService } from './directives.service';
export { LifecycleService, type LifecycleTick } from './lifecycle.service';
export { OutboxRelay, jobIdOf } from './outbox-relay';
export { EnforcementModule } from './enforcement.module';
export { EnforcementErrors } from './enforcement.errors';
export {
  DIRECTIVES_QUEUE,
  DELIVER_JOB,
  deliverJobSchema,
  directivesQueue,
  producerConnection,
  workerConnection,
  type DeliverJob,
} from './queue';
export { type DirectivePayload, type PlatformAdapter, type DeliveryResult, type FailureClass } from './adapters/platform-adapter';
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
