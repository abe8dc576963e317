import {
  auditEventPageSchema,
  auditEventsQuerySchema,
  auditExportQuerySchema,
  checkpointSchema,
  consistencyProofSchema,
  consistencyQuerySchema,
  inclusionProofSchema,
  inclusionQuerySchema,
  checkpointNoteQuerySchema,
  witnessStatusSchema,
  publicKeysSchema,
} from '@ostracon/audit';
import {
  createClientSchema,
  updateClientLimitsSchema,
  createOrganisationSchema,
  invitePersonSchema,
  listPeopleQuerySchema,
  signInQuerySchema,
} from '@ostracon/auth';
import { CommonErrors, platformIdSchema } from '@ostracon/common';
import {
  ackDirectiveSchema,
  ackResultSchema,
  complianceQuerySchema,
  directivePageSchema,
  listDirectivesQuerySchema,
} from '@ostracon/enforcement';
import { createOrderSchema, listOrdersQuerySchema, orderPageSchema, orderViewSchema, revokeOrderSchema } from '@ostracon/orders';
import { createPlatformSchema, rotateWebhookSecretSchema, updatePlatformSchema } from '@ostracon/platforms';
import {
  SIGNUP_LIMITS,
  signupBatchResultSchema,
  signupBatchSchema,
  signupCheckSchema,
  signupMatchViewSchema,
  signupResultSchema,
} from '@ostracon/screening';
import {
  PRIVATE_LIMITS,
  evaluationRequestSchema,
  evaluationViewSchema,
  keysViewSchema,
  matchReportSchema,
  matchViewSchema,
  setPageViewSchema,
  setQuerySchema,
} from '@ostracon/private-checks';
import { z } from 'zod';

type Schema = z.ZodType;

export interface Route {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  /** What a generated client calls the operation: a verb and a noun, unique in the document. */
  operationId: string;
  /** A route open to any role that still needs a person's session (signing out). */
  session?: true;
  summary: string;
  tag: string;
  roles?: string[];
  body?: Schema;
  query?: z.ZodObject;
  /** Path parameters other than uuids (the default): a platform's slug. */
  params?: Record<string, Schema>;
  headers?: { name: string; required: boolean; description: string }[];
  responses: Record<number, { description: string; schema?: Schema }>;
}

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().meta({ description: 'Stable error code, e.g. ORDER.NOT_FOUND (docs/errors.md)' }),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  traceId: z.string(),
});

const platformViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  deliveryMode: z.enum(['push', 'pull']),
  webhookUrl: z.string().nullable(),
  slaHours: z.number().int(),
  createdAt: z.string(),
  webhookSecret: z.string().optional().meta({ description: 'Only when the service generated it: shown this once' }),
});
const rotationSchema = z.object({ platform: z.string(), webhookSecret: z.string().optional(), previousSecretSignsUntil: z.string() });
const clientViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  organisation: z.uuid(),
  role: z.string(),
  platform: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  signupRatePerSecond: z.number().nullable().meta({ description: 'null: SIGNUP_RATE_PER_SECOND' }),
  signupRateBurst: z.number().nullable().meta({ description: 'null: SIGNUP_RATE_BURST' }),
});
const createdClientSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  organisation: z.uuid(),
  role: z.string(),
  platform: z.string().nullable(),
  apiKey: z.string(),
});

const organisationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(['authority', 'platform', 'auditor', 'admin']),
  platform: z.string().nullable(),
  createdAt: z.string(),
});
const personViewSchema = z.object({
  id: z.uuid(),
  organisation: z.uuid(),
  role: z.enum(['authority', 'auditor', 'admin']),
  email: z.string(),
  invitedAt: z.string(),
  signedInAt: z.string().nullable(),
  removedAt: z.string().nullable(),
});
const sessionViewSchema = z.object({
  kind: z.enum(['client', 'person']),
  id: z.uuid(),
  role: z.enum(['authority', 'platform', 'auditor', 'admin']),
  organisation: z.object({ id: z.uuid(), name: z.string() }),
  csrfToken: z.string().nullable().meta({ description: 'A person’s session: send it as X-CSRF-Token with every change' }),
  expiresAt: z.string().nullable(),
});

const offenceListSchema = z.object({
  items: z.array(z.object({ code: z.string(), label: z.string(), articles: z.array(z.string()) })),
});

/**
 * The API surface. Request schemas are the very zod schemas the controllers validate with,
 * so the document cannot drift from what the service accepts.
 */
export const ROUTES: Route[] = [
  {
    method: 'post',
    path: '/v1/orders',
    operationId: 'submitOrder',
    summary: 'Submit a ban order',
    tag: 'orders',
    roles: ['authority'],
    body: createOrderSchema,
    headers: [{ name: 'Idempotency-Key', required: true, description: 'Same key and body replays the first answer' }],
    responses: {
      201: { description: 'The order, without its raw signals or account ids', schema: orderViewSchema },
      409: { description: 'IDEMPOTENCY.IN_FLIGHT' },
      422: { description: 'A legal rule or signal check failed, or IDEMPOTENCY.MISMATCH' },
    },
  },
  {
    method: 'get',
    path: '/v1/orders',
    operationId: 'listOrders',
    summary: 'List orders (an authority its own, an auditor all), newest first',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    query: listOrdersQuerySchema,
    responses: { 200: { description: 'One page', schema: orderPageSchema } },
  },
  {
    method: 'get',
    path: '/v1/orders/{id}',
    operationId: 'getOrder',
    summary: 'Read one order',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The order', schema: orderViewSchema }, 404: { description: 'ORDER.NOT_FOUND' } },
  },
  {
    method: 'post',
    path: '/v1/orders/{id}/revoke',
    operationId: 'revokeOrder',
    summary: 'Revoke an order: its signals stop matching and the platforms are told to lift',
    tag: 'orders',
    roles: ['authority'],
    body: revokeOrderSchema,
    responses: {
      200: { description: 'The revoked order', schema: orderViewSchema },
      404: { description: 'ORDER.NOT_FOUND' },
      409: { description: 'ORDER.NOT_REVOCABLE' },
    },
  },
  {
    method: 'get',
    path: '/v1/offences',
    operationId: 'listOffences',
    summary: 'The offence codes an order may cite',
    tag: 'orders',
    roles: ['authority', 'auditor', 'admin'],
    responses: { 200: { description: 'The list', schema: offenceListSchema } },
  },
  {
    method: 'get',
    path: '/v1/reports/compliance',
    operationId: 'getComplianceReport',
    summary:
      'Enforcement compliance per platform and month (suspend directives delivered, enforced within the SLA, late, rejected, median and 90th-percentile time to enforce); an audited read',
    tag: 'audit',
    roles: ['auditor', 'admin'],
    query: complianceQuerySchema,
    responses: {
      200: {
        description: 'The report',
        schema: z.object({
          from: z.string(),
          to: z.string(),
          items: z.array(
            z.object({
              platform: z.string(),
              month: z.string(),
              delivered: z.number().int(),
              enforcedInTime: z.number().int(),
              enforcedLate: z.number().int(),
              unansweredLate: z.number().int(),
              rejected: z.number().int(),
              pending: z.number().int(),
              medianSecondsToEnforce: z.number().nullable(),
              p90SecondsToEnforce: z.number().nullable(),
            }),
          ),
        }),
      },
    },
  },
  {
    method: 'get',
    path: '/v1/platforms',
    operationId: 'listPlatforms',
    summary: 'The platforms an order may name: id and name (the console’s order form)',
    tag: 'orders',
    roles: ['authority', 'auditor', 'admin'],
    responses: { 200: { description: 'The list', schema: z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }) } },
  },
  {
    method: 'get',
    path: '/v1/directives',
    operationId: 'listDirectives',
    summary: 'Pull mode: this platform’s directives not yet acknowledged (reading one starts its SLA clock)',
    tag: 'directives',
    roles: ['platform'],
    query: listDirectivesQuerySchema,
    responses: { 200: { description: 'One page, oldest first', schema: directivePageSchema } },
  },
  {
    method: 'post',
    path: '/v1/directives/{id}/ack',
    operationId: 'acknowledgeDirective',
    summary: 'Acknowledge a directive: enforced, account_not_found or rejected',
    tag: 'directives',
    roles: ['platform'],
    body: ackDirectiveSchema,
    responses: {
      200: { description: 'Recorded (the same ack again answers the same)', schema: ackResultSchema },
      404: { description: 'DIRECTIVE.NOT_FOUND (or another platform’s)' },
      409: { description: 'DIRECTIVE.NOT_ACKNOWLEDGEABLE' },
    },
  },
  {
    method: 'post',
    path: '/v1/signup-checks',
    operationId: 'checkSignup',
    summary: 'Check one sign-up against the bans that name the calling platform',
    tag: 'sign-up checks',
    roles: ['platform'],
    body: signupCheckSchema,
    responses: {
      200: { description: 'block (a strong match), review (only possible matches) or allow', schema: signupResultSchema },
      429: { description: 'RATE_LIMIT.EXCEEDED, with Retry-After (a check costs one token)' },
      503: { description: 'SCREENING.INDEX_LOADING, or DEPENDENCY.UNAVAILABLE for a match that cannot be recorded; with Retry-After' },
    },
  },
  {
    method: 'post',
    path: '/v1/signup-checks/batch',
    operationId: 'checkSignups',
    summary: `Check up to ${SIGNUP_LIMITS.checksPerBatch} sign-ups; results in the same order, with each ref`,
    tag: 'sign-up checks',
    roles: ['platform'],
    body: signupBatchSchema,
    responses: {
      200: { description: 'One result per check', schema: signupBatchResultSchema },
      429: { description: 'RATE_LIMIT.EXCEEDED, with Retry-After (a batch costs one token per check)' },
      503: { description: 'SCREENING.INDEX_LOADING, or DEPENDENCY.UNAVAILABLE for a match that cannot be recorded; with Retry-After' },
    },
  },
  {
    method: 'get',
    path: '/v1/private/keys',
    operationId: 'getPrivateCheckKeys',
    summary: 'Private checks: the OPRF public keys (RFC 9497 VOPRF, ristretto255-SHA512); the first is the one to use',
    tag: 'private checks',
    roles: ['platform'],
    responses: { 200: { description: 'The keys', schema: keysViewSchema } },
  },
  {
    method: 'post',
    path: '/v1/private/evaluations',
    operationId: 'evaluatePrivateElements',
    summary: `Private checks: evaluate 1–${PRIVATE_LIMITS.elementsPerRequest} blinded elements under a key, with one batched DLEQ proof`,
    tag: 'private checks',
    roles: ['platform'],
    body: evaluationRequestSchema,
    responses: {
      200: { description: 'k·Bᵢ for each blinded element, and the proof (c ‖ s)', schema: evaluationViewSchema },
      400: { description: 'VALIDATION.FAILED, PRIVATE.KEY_UNKNOWN, or PRIVATE.ELEMENT_INVALID (not canonical, or the identity)' },
      429: { description: 'RATE_LIMIT.EXCEEDED, with Retry-After (an element costs one token of the sign-up check rate)' },
    },
  },
  {
    method: 'get',
    path: '/v1/private/set',
    operationId: 'getPrivateSet',
    summary: 'Private checks: this platform’s set of tags, whole (no cursor) or its changes since a cursor; `wait` long-polls',
    tag: 'private checks',
    roles: ['platform'],
    query: setQuerySchema,
    responses: {
      200: { description: 'One page, in change order', schema: setPageViewSchema },
      400: { description: 'PRIVATE.CURSOR_INVALID' },
      410: { description: 'PRIVATE.CURSOR_STALE: the key rotated, or removals since the cursor were forgotten; download the set again' },
      429: { description: 'RATE_LIMIT.EXCEEDED, with Retry-After (a page costs one token; at most 4 long polls at once per key)' },
    },
  },
  {
    method: 'post',
    path: '/v1/private/matches',
    operationId: 'reportPrivateMatch',
    summary: 'Private checks: report unblinded elements found in the set; recorded and answered as a sign-up check match',
    tag: 'private checks',
    roles: ['platform'],
    body: matchReportSchema,
    responses: {
      200: { description: 'block, review or allow (no live order holds them)', schema: matchViewSchema },
      400: { description: 'VALIDATION.FAILED, PRIVATE.KEY_UNKNOWN, or PRIVATE.ELEMENT_INVALID' },
      429: { description: 'RATE_LIMIT.EXCEEDED, with Retry-After' },
    },
  },
  {
    method: 'get',
    path: '/v1/signup-matches/{matchId}',
    operationId: 'getSignupMatch',
    summary: 'Resolve a matchId a platform quoted: the order it matched (its authority, auditors)',
    tag: 'sign-up checks',
    roles: ['authority', 'auditor'],
    responses: { 200: { description: 'The match', schema: signupMatchViewSchema }, 404: { description: 'SIGNUP_MATCH.NOT_FOUND' } },
  },
  {
    method: 'get',
    path: '/v1/audit/events',
    operationId: 'listAuditEvents',
    summary: 'The enforcement log, oldest first, each event with its Merkle leaf hash (an authority: its own orders)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    query: auditEventsQuerySchema,
    responses: { 200: { description: 'One page', schema: auditEventPageSchema } },
  },
  {
    method: 'get',
    path: '/v1/audit/events/export',
    operationId: 'exportAuditEvents',
    summary: 'The same events as NDJSON (application/x-ndjson), streamed',
    tag: 'audit',
    roles: ['auditor'],
    query: auditExportQuerySchema,
    responses: { 200: { description: 'One event per line, as in the events page' } },
  },
  {
    method: 'get',
    path: '/v1/audit/checkpoint',
    operationId: 'getAuditCheckpoint',
    summary: 'The latest signed tree head (Ed25519)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    responses: { 200: { description: 'The checkpoint', schema: checkpointSchema }, 404: { description: 'AUDIT.NO_CHECKPOINT' } },
  },
  {
    method: 'get',
    path: '/v1/audit/checkpoint/note',
    operationId: 'getAuditCheckpointNote',
    summary:
      'The latest checkpoint as a C2SP signed note (text/plain: origin, size, base64 root, the log’s signature, then every witness cosignature held)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    query: checkpointNoteQuerySchema,
    responses: {
      200: { description: 'The note (text/plain; charset=utf-8), as c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature define it' },
      404: { description: 'AUDIT.NO_CHECKPOINT, AUDIT.NOT_WITNESSED' },
    },
  },
  {
    method: 'get',
    path: '/v1/audit/witnesses',
    operationId: 'getAuditWitnesses',
    summary: 'The witnesses the log asks to cosign, what it knows of each, the newest checkpoint and the newest a quorum witnessed',
    tag: 'audit',
    roles: ['auditor', 'admin'],
    responses: { 200: { description: 'Witnessing status', schema: witnessStatusSchema } },
  },
  {
    method: 'get',
    path: '/v1/audit/public-key',
    operationId: 'getAuditPublicKeys',
    summary: 'The checkpoint signing keys, by key id (PEM, SPKI); the note verifier key and origin; the witnesses’ keys and the quorum',
    tag: 'audit',
    roles: ['auditor', 'authority', 'platform', 'admin'],
    responses: { 200: { description: 'Keys', schema: publicKeysSchema } },
  },
  {
    method: 'get',
    path: '/v1/audit/proofs/inclusion',
    operationId: 'getInclusionProof',
    summary: 'RFC 9162 inclusion proof of an event in the tree of a given size (default: the latest checkpoint)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    query: inclusionQuerySchema,
    responses: {
      200: { description: 'The audit path', schema: inclusionProofSchema },
      404: { description: 'AUDIT.SIZE_NOT_AVAILABLE, AUDIT.EVENT_NOT_IN_TREE, AUDIT.NO_CHECKPOINT, AUDIT.NO_CHECKPOINT_NOTE' },
    },
  },
  {
    method: 'get',
    path: '/v1/audit/proofs/consistency',
    operationId: 'getConsistencyProof',
    summary: 'RFC 9162 consistency proof between two tree sizes',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    query: consistencyQuerySchema,
    responses: {
      200: { description: 'The proof with both roots', schema: consistencyProofSchema },
      404: { description: 'AUDIT.SIZE_NOT_AVAILABLE, AUDIT.NO_CHECKPOINT' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/platforms',
    operationId: 'adminListPlatforms',
    summary: 'Every platform (operators)',
    tag: 'admin',
    roles: ['admin'],
    responses: { 200: { description: 'The platforms, by id', schema: z.array(platformViewSchema) } },
  },
  {
    method: 'post',
    path: '/v1/admin/platforms',
    operationId: 'adminCreatePlatform',
    summary: 'Register a platform: push with a webhook URL (a secret is generated and shown once if none is given), pull otherwise',
    tag: 'admin',
    roles: ['admin'],
    body: createPlatformSchema,
    responses: { 201: { description: 'The platform', schema: platformViewSchema }, 409: { description: 'PLATFORM.ALREADY_EXISTS' } },
  },
  {
    method: 'patch',
    path: '/v1/admin/platforms/{id}',
    operationId: 'adminUpdatePlatform',
    params: { id: platformIdSchema },
    summary: 'Change a platform’s name, SLA or (push platforms) webhook URL',
    tag: 'admin',
    roles: ['admin'],
    body: updatePlatformSchema,
    responses: {
      200: { description: 'The platform', schema: platformViewSchema },
      404: { description: 'PLATFORM.NOT_FOUND' },
      409: { description: 'PLATFORM.NOT_PUSH' },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/platforms/{id}/webhook-secret',
    operationId: 'adminRotateWebhookSecret',
    params: { id: platformIdSchema },
    summary: 'Rotate a push platform’s webhook secret: both sign until the overlap ends',
    tag: 'admin',
    roles: ['admin'],
    body: rotateWebhookSecretSchema,
    responses: {
      200: { description: 'The new secret (when generated, shown once) and when the old one stops signing', schema: rotationSchema },
      404: { description: 'PLATFORM.NOT_FOUND' },
      409: { description: 'PLATFORM.NOT_PUSH, PLATFORM.ROTATION_IN_PROGRESS' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/clients',
    operationId: 'adminListClients',
    summary: 'Every API client, newest first; never a key',
    tag: 'admin',
    roles: ['admin'],
    responses: { 200: { description: 'The clients', schema: z.array(clientViewSchema) } },
  },
  {
    method: 'post',
    path: '/v1/admin/clients',
    operationId: 'adminCreateClient',
    summary: 'Create an API client; its key is in this answer only',
    tag: 'admin',
    roles: ['admin'],
    body: createClientSchema,
    responses: {
      201: { description: 'The client and its key', schema: createdClientSchema },
      400: { description: 'VALIDATION.FAILED, CLIENT.PLATFORM_REQUIRED' },
      404: { description: 'PLATFORM.NOT_FOUND, ORGANISATION.NOT_FOUND' },
      422: { description: 'CLIENT.ROLE_MISMATCH: a role or platform other than the organisation’s, or neither organisation nor role' },
    },
  },
  {
    method: 'patch',
    path: '/v1/admin/clients/{id}',
    operationId: 'adminUpdateClientLimits',
    summary: 'Set an API key’s own sign-up check rate and burst (null: back to the global setting); audited, applied by every API process',
    tag: 'admin',
    roles: ['admin'],
    body: updateClientLimitsSchema,
    responses: { 200: { description: 'The client', schema: clientViewSchema }, 404: { description: 'CLIENT.NOT_FOUND' } },
  },
  {
    method: 'delete',
    path: '/v1/admin/clients/{id}',
    operationId: 'adminRevokeClient',
    summary: 'Revoke an API client: its key stops working on every API process within milliseconds',
    tag: 'admin',
    roles: ['admin'],
    responses: { 204: { description: 'Revoked' }, 404: { description: 'CLIENT.NOT_FOUND' } },
  },
  {
    method: 'get',
    path: '/v1/admin/organisations',
    operationId: 'adminListOrganisations',
    summary: 'Every organisation, newest first',
    tag: 'admin',
    roles: ['admin'],
    responses: { 200: { description: 'The organisations', schema: z.array(organisationViewSchema) } },
  },
  {
    method: 'post',
    path: '/v1/admin/organisations',
    operationId: 'adminCreateOrganisation',
    summary: 'Register an organisation: its API keys and people act in its role (audited)',
    tag: 'admin',
    roles: ['admin'],
    body: createOrganisationSchema,
    responses: {
      201: { description: 'The organisation', schema: organisationViewSchema },
      400: { description: 'VALIDATION.FAILED, CLIENT.PLATFORM_REQUIRED' },
      404: { description: 'PLATFORM.NOT_FOUND' },
    },
  },
  {
    method: 'get',
    path: '/v1/admin/people',
    operationId: 'adminListPeople',
    summary: 'People, newest first; of one organisation when given',
    tag: 'admin',
    roles: ['admin'],
    query: listPeopleQuerySchema,
    responses: { 200: { description: 'The people', schema: z.array(personViewSchema) } },
  },
  {
    method: 'post',
    path: '/v1/admin/people',
    operationId: 'adminInvitePerson',
    summary: 'Invite a person: they sign in with their provider and are matched by this e-mail the first time (audited)',
    tag: 'admin',
    roles: ['admin'],
    body: invitePersonSchema,
    responses: {
      201: { description: 'The person', schema: personViewSchema },
      404: { description: 'ORGANISATION.NOT_FOUND' },
      409: { description: 'PERSON.ALREADY_INVITED: a member with this e-mail exists' },
      422: { description: 'PERSON.ROLE_NOT_ALLOWED: platforms have no people' },
    },
  },
  {
    method: 'delete',
    path: '/v1/admin/people/{id}',
    operationId: 'adminRemovePerson',
    summary: 'Remove a person: their sessions end at once; they can no longer sign in (audited)',
    tag: 'admin',
    roles: ['admin'],
    responses: { 204: { description: 'Removed' }, 404: { description: 'PERSON.NOT_FOUND' } },
  },
  {
    method: 'get',
    path: '/v1/people/{id}',
    operationId: 'getPerson',
    summary: 'Who a person id of the audit log is: an audited read (person.resolved)',
    tag: 'audit',
    roles: ['auditor', 'admin'],
    responses: {
      200: {
        description: 'The person and their organisation',
        schema: personViewSchema.extend({ displayName: z.string().nullable(), organisationName: z.string() }),
      },
      404: { description: 'PERSON.NOT_FOUND' },
    },
  },
  {
    method: 'get',
    path: '/v1/session',
    operationId: 'getSession',
    summary: 'Who is calling (a key or a person signed in); for a session, its CSRF token',
    tag: 'sign-in',
    roles: ['authority', 'auditor', 'admin', 'platform'],
    responses: { 200: { description: 'The caller', schema: sessionViewSchema } },
  },
  {
    method: 'get',
    path: '/auth/sign-in',
    operationId: 'signIn',
    summary: 'Sign in with OpenID Connect: a redirect to the provider (authorization code, PKCE, state, nonce)',
    tag: 'sign-in',
    query: signInQuerySchema,
    responses: {
      302: { description: 'To the provider; sets the short-lived sign-in cookie' },
      429: { description: 'RATE_LIMIT.EXCEEDED: each start costs the source one unit of its failed-authentication allowance' },
      503: { description: 'SIGN_IN.NOT_CONFIGURED, SIGN_IN.PROVIDER_UNAVAILABLE' },
    },
  },
  {
    method: 'get',
    path: '/auth/callback',
    operationId: 'signInCallback',
    summary: 'The provider’s redirect back: a session cookie and on to returnTo, or a page saying why the sign-in is refused',
    tag: 'sign-in',
    responses: {
      303: { description: 'Signed in: sets the session cookie (HttpOnly, SameSite=Lax, Secure over https)' },
      403: { description: 'An HTML page: unknown or removed person, unverified e-mail, expired or replayed sign-in, failed checks' },
      429: { description: 'RATE_LIMIT.EXCEEDED: a return matching no sign-in of this browser counts as a failed authentication' },
    },
  },
  {
    method: 'post',
    path: '/auth/sign-out',
    operationId: 'signOut',
    session: true,
    summary: 'End the session (X-CSRF-Token and a same-origin request required), and where to end the provider’s',
    tag: 'sign-in',
    responses: {
      200: {
        description: '{ endSessionUrl }: the provider’s end-session URL, or null',
        schema: z.object({ endSessionUrl: z.string().nullable() }),
      },
      403: { description: 'SESSION.CSRF_REJECTED' },
    },
  },
  {
    method: 'get',
    path: '/auth/signed-in',
    operationId: 'signedIn',
    summary: 'Where a sign-in lands by default: an HTML page saying for which organisation and role the browser is signed in',
    tag: 'sign-in',
    responses: { 200: { description: 'An HTML page' }, 303: { description: 'Not signed in: to /auth/sign-in' } },
  },
  {
    method: 'get',
    path: '/auth/signed-out',
    operationId: 'signedOut',
    summary: 'Where the provider sends the browser after its own sign-out (an HTML page)',
    tag: 'sign-in',
    responses: { 200: { description: 'An HTML page' } },
  },
  {
    method: 'get',
    path: '/health/live',
    operationId: 'getLiveness',
    summary: 'Liveness',
    tag: 'operations',
    responses: { 200: { description: 'Up' } },
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'getReadiness',
    summary:
      'Readiness: this process can serve (sign-up index built, API keys read). PostgreSQL or Redis down makes it "degraded", not unready: checks go on from memory',
    tag: 'operations',
    responses: {
      200: { description: '{ status: "ok" | "degraded", checks: { postgres, redis, index, keys } }' },
      503: { description: 'SERVICE.UNAVAILABLE, with Retry-After, while the index or the keys load' },
    },
  },
];

const jsonSchema = (schema: Schema) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const outputSchema = (schema: Schema) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });

/** The document, with the service's public URL as its server (GET /docs/json serves it). */
export function buildOpenApiDocument(serverUrl = '/'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const parameters: unknown[] = [];
    for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
      const schema = route.params?.[name!];
      parameters.push({ name, in: 'path', required: true, schema: schema ? jsonSchema(schema) : { type: 'string', format: 'uuid' } });
    }
    for (const h of route.headers ?? [])
      parameters.push({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string' } });
    if (route.query) {
      const shape = route.query.shape as Record<string, Schema>;
      for (const [name, schema] of Object.entries(shape)) {
        parameters.push({ name, in: 'query', required: false, schema: jsonSchema(schema) });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { 'application/json': { schema: outputSchema(r.schema) } } }
        : Number(status) >= 400
          ? { description: r.description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
          : { description: r.description };
    }
    if (route.body) {
      responses['400'] ??= problemResponse(
        `${CommonErrors.validation.code}, ${CommonErrors.malformedJson.code}, ${CommonErrors.duplicateKey.code}, ${CommonErrors.emptyBody.code}`,
      );
      responses['413'] ??= problemResponse(CommonErrors.tooLarge.code);
      responses['415'] ??= problemResponse(
        `${CommonErrors.unsupportedMediaType.code}: not application/json, or a charset other than UTF-8`,
      );
    }
    if (route.roles) {
      responses['400'] ??= problemResponse(CommonErrors.validation.code);
      responses['401'] = problemResponse(CommonErrors.unauthenticated.code);
      responses['403'] = problemResponse(
        `${CommonErrors.forbidden.code}: the route is for ${route.roles.join(', ')}` +
          (route.method === 'get'
            ? ''
            : '; SESSION.CSRF_REJECTED: a change made with a session cookie from another site or without X-CSRF-Token'),
      );
      responses['429'] ??= problemResponse(
        `${CommonErrors.rateLimited.code}: too many failed authentications from this address (Retry-After)`,
      );
      responses['503'] ??= problemResponse(`${CommonErrors.dependencyUnavailable.code}: PostgreSQL or Redis unreachable (Retry-After)`);
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      // A route without roles needs no credentials, and says so (an empty requirement).
      ...(route.roles
        ? { security: [{ apiKey: [] }, { session: [] }], description: `Roles: ${route.roles.join(', ')}` }
        : { security: route.session ? [{ session: [] }] : [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    servers: [{ url: serverUrl, description: 'This Ostracon service' }],
    info: {
      title: 'Ostracon',
      version: '1',
      license: { name: 'UNLICENSED' },
      description:
        'Enforcement of court-ordered social-network bans (art. 131-35-1 Code pénal). Errors are RFC 9457 problem+json with a stable `code`; every response carries `x-request-id`.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run cli -- clients:create`' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'ostracon_session',
          description:
            'A person’s session (GET /auth/sign-in; `__Host-ostracon_session` over https). Changes also need X-CSRF-Token (docs/people.md)',
        },
      },
      schemas: { Problem: outputSchema(problemSchema) },
    },
    paths,
  };
}

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}
