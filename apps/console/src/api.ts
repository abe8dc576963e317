/** A problem+json answer (docs/errors.md), as the console shows it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(`${code}: ${detail}`);
  }
}

let csrfToken: string | null = null;

/** The session's token, sent as X-CSRF-Token with every change (docs/people.md). */
export function useCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** To the provider and back to where the person was. */
export function signIn(): void {
  window.location.assign(`/auth/sign-in?returnTo=${encodeURIComponent(`/console/${window.location.hash}`)}`);
}

/** A call to the /v1 API with the session cookie; problem+json answers become ApiError. */
export async function api<T>(
  path: string,
  options: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as {
      code?: string;
      detail?: string;
      errors?: { path: string; message: string }[];
    } | null;
    throw new ApiError(
      response.status,
      problem?.code ?? `HTTP.${response.status}`,
      problem?.detail ?? response.statusText,
      problem?.errors,
    );
  }
  if (response.status === 204) return undefined as T;
  if (options.headers?.accept?.startsWith('text/')) return (await response.text()) as T;
  return (await response.json()) as T;
}

export interface Caller {
  kind: 'client' | 'person';
  id: string;
  role: 'authority' | 'auditor' | 'admin' | 'platform';
  organisation: { id: string; name: string };
  csrfToken: string | null;
  expiresAt: string | null;
}

export interface PlatformEnforcement {
  platform: string;
  status: 'pending' | 'delivered' | 'enforced' | 'failed' | 'lifting' | 'lifted';
  accountCount: number;
  deliveredAt: string | null;
  enforcedAt: string | null;
  slaDeadline: string | null;
  liftedAt: string | null;
  outcome: string | null;
  slaMet: boolean | null;
}

export interface Order {
  id: string;
  status: 'scheduled' | 'active' | 'expired' | 'revoked';
  courtReference: string;
  court: string;
  decisionDate: string;
  legalBasis: 'conviction' | 'pretrial_supervision' | 'probation';
  offence: string;
  repeatOffender: boolean;
  startsAt: string;
  endsAt: string;
  signalCount: number;
  platforms: PlatformEnforcement[];
  createdAt: string;
  revokedAt: string | null;
  revocation: { reason: string; decisionReference: string } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEvent {
  seq: number;
  at: string;
  type: string;
  actor: string;
  orderId?: string;
  platform?: string;
  data: Record<string, unknown>;
  leafHash: string;
}

export interface Checkpoint {
  size: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}
