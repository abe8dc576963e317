import { CreateCoreSchema1764360000000 } from './1764360000000-create-core-schema';
import { CreateDirectivesAndOutbox1764370000000 } from './1764370000000-create-directives-and-outbox';
import { CreateScreening1764380000000 } from './1764380000000-create-screening';
import { CreateAuditTree1764390000000 } from './1764390000000-create-audit-tree';
import { SequenceAuditEventsAtCommit1764400000000 } from './1764400000000-sequence-audit-events-at-commit';
import { FindPendingAuditEventsByTransaction1764410000000 } from './1764410000000-find-pending-audit-events-by-transaction';
import { NotifyApiClientChanges1764420000000 } from './1764420000000-notify-api-client-changes';
import { RotateWebhookSecrets1764430000000 } from './1764430000000-rotate-webhook-secrets';
import { CreateOrganisationsAndPeople1764440000000 } from './1764440000000-create-organisations-and-people';
import { IndexDirectivesByDelivery1764450000000 } from './1764450000000-index-directives-by-delivery';
import { CreatePrivateChecks1764460000000 } from './1764460000000-create-private-checks';
import { WitnessAuditCheckpoints1764470000000 } from './1764470000000-witness-audit-checkpoints';
import { ClientSignupLimits1764480000000 } from './1764480000000-client-signup-limits';
import { CountOrderMonthsInParis1764495000000 } from './1764495000000-count-order-months-in-paris';
import { SearchOrdersByReferencePrefix1764500000000 } from './1764500000000-search-orders-by-reference-prefix';
import { SessionsEndWhenAPersonMoves1764512900000 } from './1764512900000-sessions-end-when-a-person-moves';
import { RecordAttempts1764520000000 } from './1764520000000-record-attempts';
import { ReportLinkedAccounts1764522000000 } from './1764522000000-report-linked-accounts';
import { AppealsAndEarlyEnds1764523000000 } from './1764523000000-appeals-and-early-ends';
import { IndexDirectivesInFlightByOrder1764524000000 } from './1764524000000-index-directives-in-flight-by-order';
import { StoreAuditTreeAsTiles1764525000000 } from './1764525000000-store-audit-tree-as-tiles';
import { MovePendingAuditEventsOncePerCommit1764526000000 } from './1764526000000-move-pending-audit-events-once-per-commit';

/** Every migration, oldest first. Listed by hand so that bundling and tests see the same set. */
export const MIGRATIONS = [
  CreateCoreSchema1764360000000,
  CreateDirectivesAndOutbox1764370000000,
  CreateScreening1764380000000,
  CreateAuditTree1764390000000,
  SequenceAuditEventsAtCommit1764400000000,
  FindPendingAuditEventsByTransaction1764410000000,
  NotifyApiClientChanges1764420000000,
  RotateWebhookSecrets1764430000000,
  CreateOrganisationsAndPeople1764440000000,
  IndexDirectivesByDelivery1764450000000,
  CreatePrivateChecks1764460000000,
  WitnessAuditCheckpoints1764470000000,
  ClientSignupLimits1764480000000,
  CountOrderMonthsInParis1764495000000,
  SearchOrdersByReferencePrefix1764500000000,
  SessionsEndWhenAPersonMoves1764512900000,
  RecordAttempts1764520000000,
  ReportLinkedAccounts1764522000000,
  AppealsAndEarlyEnds1764523000000,
  IndexDirectivesInFlightByOrder1764524000000,
  StoreAuditTreeAsTiles1764525000000,
  MovePendingAuditEventsOncePerCommit1764526000000,
];
