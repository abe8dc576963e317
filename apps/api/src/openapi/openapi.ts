import { RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { AccessGuard, AuthErrors } from '@ostracon/auth';
import { type CataloguedError, CommonErrors, ZodPipe } from '@ostracon/common';
import { z } from 'zod';
import { DASHBOARD_PATH } from '../admin/queue-dashboard';
import { API_CONTROLLERS } from '../api.module';
import { SIGNUP_CHECK_DESCRIPTIONS } from '../signup-checks/signup-checks.routes';
import { type OutsideNestRoute, type RouteDescription, type RouteError, type Tag, routeDescriptionOf } from './api-route';
import { isCatalogued } from './error-catalogues';

type Schema = z.ZodType;

/** A route as the document shows it: its description, and where and how it is served. */
export interface Route extends RouteDescription {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  body?: Schema;
  query?: z.ZodObject;
  json: 'secure' | 'plain';
  /** Only an API key: the route reads no session cookie (the sign-up checks). */
  keysOnly: boolean;
}

/** Routes served outside Nest, each described beside its handler. */
const OUTSIDE_NEST: readonly OutsideNestRoute[] = [...SIGNUP_CHECK_DESCRIPTIONS];

/**
 * What the API's port also serves that is not the API: pages and files for browsers, with their
 * own routes. Every other route must be in the document (test/openapi.e2e-spec.ts).
 */
export const OUTSIDE_THE_CONTRACT: readonly { prefix: string; why: string }[] = [
  { prefix: '/console', why: 'the console’s static files (apps/console), a client of /v1 like any other' },
  { prefix: DASHBOARD_PATH, why: 'the BullMQ dashboard: bull-board’s pages and the JSON they call, for admins' },
  { prefix: '/docs', why: 'this document (/docs/json, /docs/yaml) and Swagger UI' },
  { prefix: '/dev/', why: 'development pages (the mails kept without SMTP_URL): never mounted in production' },
];

/** The groups, in the order the document lists them (Swagger UI shows tags as they first appear). */
const TAGS: readonly Tag[] = ['orders', 'audit', 'directives', 'sign-up checks', 'private checks', 'admin', 'sign-in', 'operations'];

const guardsOf = (target: object) => (Reflect.getMetadata(GUARDS_METADATA, target) ?? []) as unknown[];

/**
 * The routes of Nest controllers: method and path from Nest's route decorators, body and query
 * schemas from the ZodPipes that validate them, the rest from each handler's @ApiRoute. Throws,
 * naming them, on a handler without a description, a description on a method that handles no
 * route, and roles that disagree with AccessGuard (roles it does not enforce, or a guard that
 * refuses everyone for want of roles).
 */
export function describeControllers(controllers: readonly Type[]): Route[] {
  const routes: Route[] = [];
  const problems: string[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const where = `${controller.name}.${name}`;
      const description = routeDescriptionOf(handler);
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (requestMethod === undefined) {
        if (description) problems.push(`${where} is described (@ApiRoute) but handles no route`);
        continue;
      }
      const method = RequestMethod[requestMethod].toLowerCase() as Route['method'];
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      if (!description) {
        problems.push(`${where} handles ${method.toUpperCase()} ${path} without @ApiRoute`);
        continue;
      }
      const guarded = [...guardsOf(controller), ...guardsOf(handler)].includes(AccessGuard);
      if (guarded && !description.roles) problems.push(`${where}: AccessGuard without roles refuses everyone`);
      if (!guarded && description.roles) problems.push(`${where}: roles without AccessGuard are not enforced`);
      const schemas: { body?: Schema; query?: z.ZodObject } = {};
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { pipes?: unknown[] }>;
      for (const [key, arg] of Object.entries(args)) {
        const pipe = arg.pipes?.find((p): p is ZodPipe<Schema> => p instanceof ZodPipe);
        if (!pipe) continue;
        const type = Number(key.split(':')[0]);
        if (type === RouteParamtypes.BODY) schemas.body = pipe.schema;
        if (type === RouteParamtypes.QUERY) schemas.query = pipe.schema as z.ZodObject;
      }
      routes.push({ ...description, method, path, ...schemas, json: 'secure', keysOnly: false });
    }
  }
  if (problems.length > 0) throw new Error(`The OpenAPI document cannot describe these handlers:\n${problems.join('\n')}`);
  return routes;
}

/** Every route of the API, grouped by tag: the Nest controllers' and those served outside Nest. */
export const ROUTES: readonly Route[] = [
  ...describeControllers(API_CONTROLLERS),
  ...OUTSIDE_NEST.map(({ json, keysOnly, ...route }) => ({ ...route, json: json ?? 'secure', keysOnly: keysOnly ?? false })),
].sort((a, b) => TAGS.indexOf(a.tag) - TAGS.indexOf(b.tag));

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().meta({ description: 'Stable error code, e.g. ORDER.NOT_FOUND (docs/errors.md)' }),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  traceId: z.string(),
});

interface RouteProblem {
  error: CataloguedError;
  note?: string;
}
const problem = (entry: RouteError): RouteProblem => ('error' in entry ? entry : { error: entry });

/**
 * The problems a route answers: those of its body (every JSON body can be malformed), its own,
 * then those of access (every route with roles authenticates and may be refused). Where the
 * route names a code the generic list has, the route's words win.
 */
function problemsOf(route: Route): RouteProblem[] {
  const own = (route.errors ?? []).map(problem);
  const generic: RouteProblem[] = [];
  if (route.body) {
    generic.push(
      { error: CommonErrors.validation },
      { error: CommonErrors.malformedJson },
      ...(route.json === 'secure' ? [{ error: CommonErrors.duplicateKey }] : []),
      { error: CommonErrors.emptyBody },
      { error: CommonErrors.tooLarge },
      { error: CommonErrors.unsupportedMediaType, note: 'not application/json, or a charset other than UTF-8' },
    );
  }
  if (route.query || route.roles) generic.push({ error: CommonErrors.validation });
  if (route.path.includes('{')) generic.push({ error: CommonErrors.badPathParameter });
  const access: RouteProblem[] = [];
  if (route.roles) {
    access.push(
      { error: CommonErrors.unauthenticated },
      { error: CommonErrors.forbidden, note: `the route is for ${route.roles.join(', ')}` },
      ...(route.method === 'get' || route.keysOnly
        ? []
        : [{ error: AuthErrors.csrf, note: 'a change made with a session cookie from another site or without X-CSRF-Token' }]),
      { error: CommonErrors.rateLimited, note: 'too many failed authentications from this address (Retry-After)' },
      { error: CommonErrors.dependencyUnavailable, note: 'PostgreSQL or Redis unreachable (Retry-After)' },
    );
  }
  const owned = new Set(own.map((p) => p.error.code));
  const seen = new Set<string>();
  return [...generic, ...own, ...access].filter((p) => {
    if ((owned.has(p.error.code) && !own.includes(p)) || seen.has(p.error.code)) return false;
    seen.add(p.error.code);
    return true;
  });
}

const jsonSchema = (schema: Schema) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const outputSchema = (schema: Schema) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });

function responsesOf(route: Route): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const content = r.schema
      ? {
          'application/json': { schema: outputSchema(r.schema) },
          ...(r.mediaType ? { [r.mediaType]: { schema: { type: 'string', format: 'binary' } } } : {}),
        }
      : r.mediaType
        ? { [r.mediaType]: { schema: { type: 'string' } } }
        : undefined;
    responses[status] = { description: r.description, ...(content ? { content } : {}) };
  }
  const byStatus = new Map<number, RouteProblem[]>();
  for (const p of problemsOf(route)) {
    if (!isCatalogued(p.error)) throw new Error(`${route.operationId}: ${p.error.code} is not an entry of a catalogue (ERROR_CATALOGUES)`);
    byStatus.set(p.error.status, [...(byStatus.get(p.error.status) ?? []), p]);
  }
  for (const [status, problems] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (responses[status]) throw new Error(`${route.operationId}: ${status} is both an answer and a problem`);
    // `CODE: what it means here`, each; codes alone read as a list.
    const description = problems.some((p) => p.note)
      ? problems.map((p) => (p.note ? `${p.error.code}: ${p.note}` : p.error.code)).join('; ')
      : problems.map((p) => p.error.code).join(', ');
    responses[status] = { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  }
  return responses;
}

function securityOf(route: Route): Record<string, unknown> {
  // A route without roles needs no credentials, and says so (an empty requirement).
  if (!route.roles) return { security: route.session ? [{ session: [] }] : [] };
  return {
    security: route.keysOnly ? [{ apiKey: [] }] : [{ apiKey: [] }, { session: [] }],
    description: `Roles: ${route.roles.join(', ')}`,
  };
}

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
      for (const [name, schema] of Object.entries(route.query.shape as Record<string, Schema>)) {
        parameters.push({ name, in: 'query', required: false, schema: jsonSchema(schema) });
      }
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...securityOf(route),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
      responses: responsesOf(route),
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
