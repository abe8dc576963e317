/**
 * Who calls, below every domain lib: the roles, the authenticated caller (libs/auth proves who it
 * is) and how the audit log names an actor. Domain services take a caller and record an actor
 * without depending on how the caller signed in.
 */
export const ROLES = ['authority', 'platform', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The roles people hold; platforms are machines only (docs/people.md). */
export const PERSON_ROLES = ['authority', 'auditor', 'admin'] as const satisfies readonly Role[];
export type PersonRole = (typeof PERSON_ROLES)[number];

/**
 * Who a request acts for once authenticated: an API client (a bearer key) or a person (a session
 * cookie). Either acts in its organisation's role; what an organisation owns (its orders), every
 * key and person of it sees.
 */
export interface AuthenticatedClient {
  kind: 'client' | 'person';
  /** The API client's id, or the person's. */
  id: string;
  /** The client's name; for a person, the organisation's (a person's name is read only through an audited read). */
  name: string;
  role: Role;
  organisationId: string;
  /** Set for role `platform` only: the one platform this client acts for. */
  platformId: string | null;
  /** An API key's own sign-up check rate (either may be null: the global setting). */
  signupLimit?: { ratePerSecond: number | null; burst: number | null };
}

/**
 * Who acted: an API client (`client:<id>`), a person signed in for an organisation
 * (`person:<id>@<organisation id>`), the CLI (`cli`) or a service process (`system:<name>`).
 */
export type Actor = `client:${string}` | `person:${string}@${string}` | 'cli' | `system:${string}`;

/**
 * Who acted, as the audit log names it: `client:<id>`, or `person:<id>@<organisation id>` so that
 * the log alone answers "who, for which organisation" (docs/auditing.md).
 */
export function actorOf(caller: AuthenticatedClient): Actor {
  return caller.kind === 'person' ? `person:${caller.id}@${caller.organisationId}` : `client:${caller.id}`;
}
