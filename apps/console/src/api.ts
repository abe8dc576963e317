import createClient from 'openapi-fetch';
import type { components, paths } from '@ostracon/platform-sdk/api-types';
import { format, messages as t } from './i18n';

type Problem = components['schemas']['Problem'];

const problemTextOf = (code: string) => t.problemCodes[code] ?? format(t.problemFallback, { code });

/** A problem+json answer (docs/errors.md), as the console shows it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    // Its message is what a person reads wherever it is shown: French, never `detail`.
    super(problemTextOf(code));
  }
}

/**
 * What a person reads of a problem: the French text of its code (i18n `problemCodes`), or a French
 * sentence naming the code. Never the English `detail`, which is for developers and logs.
 */
export function problemText(error: ApiError): string {
  return problemTextOf(error.code);
}

/** What a problem says on a form's field (an `errors[]` entry's place), by the problem's code. */
export function fieldProblemText(code: string): string {
  return t.fieldProblems[code] ?? t.problemCodes[code] ?? format(t.fieldFallback, { code });
}

let csrfToken: string | null = null;

/** The session's token, sent as X-CSRF-Token with every change (docs/people.md). */
export function useCsrfToken(token: string | null): void {
  csrfToken = token;
}

type SessionEvent = 'used' | 'ended';
const sessionListeners = new Set<(event: SessionEvent) => void>();

/**
 * What the API's answers say of the session: `used` (an answer made with it: its idle deadline
 * moved), `ended` (a 401: it is over). The idle warning (session-keeper.tsx) listens.
 */
export function onSessionEvent(listener: (event: SessionEvent) => void): () => void {
  sessionListeners.add(listener);
  return () => void sessionListeners.delete(listener);
}

/** To the provider and back to where the person was. */
export function signIn(): void {
  window.location.assign(`/auth/sign-in?returnTo=${encodeURIComponent(`/console/${window.location.hash}`)}`);
}

/**
 * The API, typed by its OpenAPI document (libs/platform-sdk/src/api-types.ts, npm run
 * openapi:types): same origin, with the session cookie, asking for JSON unless a call says
 * otherwise, and the session's X-CSRF-Token on every change. Its answers go through `ok`.
 */
export const client = createClient<paths>({ credentials: 'same-origin', headers: { accept: 'application/json' } });
client.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
  },
  onResponse({ response }) {
    const event: SessionEvent | null = response.status === 401 ? 'ended' : response.status < 500 ? 'used' : null;
    if (event) for (const listener of sessionListeners) listener(event);
  },
});

/** What a call answers when it succeeds: its data (undefined for a 204), or the ApiError its problem+json says. */
export async function ok<R extends { response: Response }>(call: Promise<R>): Promise<Data<R>> {
  const { data, error, response } = (await call) as R & { data?: unknown; error?: unknown };
  if (!response.ok) {
    const problem: Partial<Problem> = typeof error === 'object' && error !== null ? error : {};
    throw new ApiError(response.status, problem.code ?? `HTTP.${response.status}`, problem.detail ?? response.statusText, problem.errors);
  }
  return data as Data<R>;
}

/** The data of an openapi-fetch answer's success member; undefined where the route answers nothing (204). */
type SuccessData<R> = R extends { data: infer D } ? D : never;
type Data<R> = [SuccessData<R>] extends [never] ? undefined : SuccessData<R>;

/** The JSON a route answers with on success, as its OpenAPI document describes it. */
type Json<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'delete', S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Caller = Json<'/v1/session', 'get'>;
export type Order = Json<'/v1/orders/{id}', 'get'>;
export type AuditEventPage = Json<'/v1/audit/events', 'get'>;
export type AuditEvent = AuditEventPage['items'][number];
export type Checkpoint = Json<'/v1/audit/checkpoint', 'get'>;
export type PublishedKeys = Json<'/v1/audit/public-key', 'get'>;
export type ComplianceReport = Json<'/v1/reports/compliance', 'get'>;
export type Organisation = Json<'/v1/admin/organisations', 'get'>[number];
export type Platform = Json<'/v1/admin/platforms', 'get'>[number];
