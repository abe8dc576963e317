import { z } from 'zod';
import { PERSON_ROLES, ROLES, text } from '@ostracon/common';

/**
 * What the auth lib answers (the OpenAPI document shows these very schemas; the types are inferred
 * from them). Its request schemas stay beside the services that parse them.
 */

/** An API client as the admin API lists it: never its key. */
export const clientViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  organisation: z.uuid(),
  role: z.enum(ROLES),
  platform: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  signupRatePerSecond: z.number().nullable().meta({ description: 'null: SIGNUP_RATE_PER_SECOND' }),
  signupRateBurst: z.number().nullable().meta({ description: 'null: SIGNUP_RATE_BURST' }),
});
export type ClientView = z.infer<typeof clientViewSchema>;

export const createdClientSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  organisation: z.uuid(),
  role: z.enum(ROLES),
  platform: z.string().nullable(),
  apiKey: z.string().meta({ description: 'Shown once, here; only its hash is stored' }),
});
export type CreatedClient = z.infer<typeof createdClientSchema>;

export const organisationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  platform: z.string().nullable(),
  createdAt: z.string(),
});
export type OrganisationView = z.infer<typeof organisationViewSchema>;

/**
 * What an admin sees of a member: the e-mail they invited, not the name the provider gave (that
 * is read through the audited resolve).
 */
export const personViewSchema = z.object({
  id: z.uuid(),
  organisation: z.uuid(),
  role: z.enum(PERSON_ROLES),
  email: z.string(),
  invitedAt: z.string(),
  signedInAt: z.string().nullable(),
  removedAt: z.string().nullable(),
});
export type PersonView = z.infer<typeof personViewSchema>;

/** A person as an audited read resolves them, for an auditor asking "who is person X". */
export const resolvedPersonSchema = personViewSchema.extend({ displayName: z.string().nullable(), organisationName: z.string() });
export type ResolvedPerson = z.infer<typeof resolvedPersonSchema>;

/** GET /v1/people?ids=…: the person ids of a page of the log, resolved at once (one audited read). */
export const resolvePeopleQuerySchema = z.strictObject({
  ids: text()
    .max(100 * 37)
    .transform((v) => [...new Set(v.split(','))])
    .pipe(z.array(z.uuid()).min(1).max(100))
    .meta({ description: 'comma-separated person ids, at most 100' }),
});
export type ResolvePeopleQuery = z.output<typeof resolvePeopleQuerySchema>;

/** Who each id is, of those the caller may resolve (an id it may not, or unknown, is left out). */
export const resolvedPeopleSchema = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      displayName: z.string().nullable(),
      email: z.string(),
      organisation: z.uuid(),
      organisationName: z.string(),
    }),
  ),
});
export type ResolvedPeople = z.infer<typeof resolvedPeopleSchema>;

/** Who is calling: a key, or a person signed in. */
/** PUT /v1/session/attempt-mails: a person's choice to be told by e-mail of new attempts (docs/attempts.md). */
export const attemptMailsSchema = z.strictObject({ enabled: z.boolean() });
export type AttemptMailsInput = z.output<typeof attemptMailsSchema>;

export const sessionViewSchema = z.object({
  kind: z.enum(['client', 'person']),
  id: z.uuid(),
  role: z.enum(ROLES),
  organisation: z.object({ id: z.uuid(), name: z.string() }),
  person: z.object({ name: z.string().nullable(), email: z.string(), attemptMails: z.boolean() }).nullable().meta({
    description: 'A person signed in: their own name (from their provider) and e-mail, to show them who they are; null for a key',
  }),
  csrfToken: z.string().nullable().meta({ description: 'A person’s session: send it as X-CSRF-Token with every change' }),
  expiresAt: z.string().nullable(),
  idleTimeoutSeconds: z.number().int().positive().nullable().meta({
    description:
      'A person’s session ends after this many seconds without a request (SESSION_IDLE_MINUTES): the console warns before; null for a key',
  }),
  touchSeconds: z.number().int().positive().nullable().meta({
    description: 'How often at most a request records the session’s use: its idle deadline may lag a request by this much; null for a key',
  }),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

/** Signed out here; where to end the provider's session too (RP-initiated logout), if it has an end-session endpoint. */
export const signedOutSchema = z.object({ endSessionUrl: z.string().nullable() });
export type SignedOut = z.infer<typeof signedOutSchema>;
