import { AuditErrors, EvidenceErrors } from '@ostracon/audit';
import { AuthErrors } from '@ostracon/auth';
import { type CataloguedError, CommonErrors } from '@ostracon/common';
import { EnforcementErrors } from '@ostracon/enforcement';
import { LinkedAccountErrors, OrderErrors } from '@ostracon/orders';
import { PlatformErrors } from '@ostracon/platforms';
import { PrivateCheckErrors } from '@ostracon/private-checks';
import { ScreeningErrors } from '@ostracon/screening';
import { IdempotencyErrors } from '../http/idempotency';

export interface ErrorCatalogue {
  /** The constant's name, as `defineErrors` is assigned to it (a test finds every one in the sources). */
  name: string;
  /** Its section of docs/errors.md. */
  heading: string;
  errors: Readonly<Record<string, CataloguedError>>;
}

/**
 * Every catalogue of errors the service answers, in the order docs/errors.md lists them. A code in
 * two catalogues (PLATFORM.NOT_FOUND) is listed once, where it first appears.
 */
export const ERROR_CATALOGUES: readonly ErrorCatalogue[] = [
  { name: 'CommonErrors', heading: 'Any request', errors: CommonErrors },
  { name: 'IdempotencyErrors', heading: 'Idempotency (`POST /v1/orders`)', errors: IdempotencyErrors },
  { name: 'OrderErrors', heading: 'Orders', errors: OrderErrors },
  { name: 'EnforcementErrors', heading: 'Directives', errors: EnforcementErrors },
  { name: 'PlatformErrors', heading: 'Platforms', errors: PlatformErrors },
  { name: 'AuthErrors', heading: 'Clients, organisations, people and sessions', errors: AuthErrors },
  { name: 'ScreeningErrors', heading: 'Sign-up checks', errors: ScreeningErrors },
  { name: 'PrivateCheckErrors', heading: 'Private checks', errors: PrivateCheckErrors },
  { name: 'AuditErrors', heading: 'Audit log', errors: AuditErrors },
  { name: 'EvidenceErrors', heading: 'Evidence files', errors: EvidenceErrors },
  { name: 'LinkedAccountErrors', heading: 'Linked accounts', errors: LinkedAccountErrors },
];

/** Whether an error definition is an entry of a catalogue (the very object, not a copy). */
export function isCatalogued(error: object): boolean {
  return ERROR_CATALOGUES.some((catalogue) => Object.values(catalogue.errors).includes(error as CataloguedError));
}
