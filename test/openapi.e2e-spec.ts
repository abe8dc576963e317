import { PATH_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import { rolesOf } from '@ostracon/auth';
import { ZodPipe } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import { ApiModule } from '../apps/api/src/api.module';
import { ROUTES } from '../apps/api/src/openapi/openapi';
import { SIGNUP_CHECK_PATHS, SIGNUP_CHECK_ROLES } from '../apps/api/src/signup-checks/signup-checks.routes';
import { startTestApp, type TestApp } from './support/test-app';

interface Served {
  route: string;
  roles: string[] | undefined;
  body?: unknown;
  query?: unknown;
}

/** Every route the Nest controllers serve, read from their decorators: method, path, roles, validating schemas. */
function nestRoutes(): Served[] {
  const controllers = (ApiModule.forRoot(loadConfig()).controllers ?? []) as Type[];
  const served: Served[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as object;
      if (name === 'constructor' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!.toLowerCase();
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { pipes?: unknown[] }>;
      const schemas: Record<string, unknown> = {};
      for (const [key, arg] of Object.entries(args)) {
        const pipe = arg.pipes?.find((p) => p instanceof ZodPipe) as ZodPipe<never> | undefined;
        if (!pipe) continue;
        // RouteParamtypes: 3 = BODY, 4 = QUERY.
        const type = Number(key.split(':')[0]);
        if (type === 3) schemas.body = pipe.schema;
        if (type === 4) schemas.query = pipe.schema;
      }
      served.push({ route: `${method} ${path}`, roles: rolesOf(handler) ?? rolesOf(controller), ...schemas });
    }
  }
  return served;
}

describe('the OpenAPI document agrees with the routes the API serves', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('lists every Nest route, with its roles and the very schemas that validate it, and nothing else', () => {
    const served = nestRoutes();
    const documented = ROUTES.filter((r) => !SIGNUP_CHECK_PATHS.includes(r.path as never));
    expect(served.map((s) => s.route).sort()).toEqual(documented.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of documented) {
      const s = served.find((x) => x.route === `${route.method} ${route.path}`)!;
      expect([s.route, s.roles?.slice().sort()]).toEqual([s.route, route.roles?.slice().sort()]);
      expect([s.route, s.body === route.body, s.query === route.query]).toEqual([s.route, true, true]);
    }
  });

  it('lists the lean sign-up routes with the roles their handler admits', () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    for (const path of SIGNUP_CHECK_PATHS) {
      expect(fastify.hasRoute({ method: 'POST', url: path })).toBe(true);
      const route = ROUTES.find((r) => r.path === path && r.method === 'post');
      expect(route?.roles).toEqual([...SIGNUP_CHECK_ROLES]);
    }
  });

  it('serves the document it builds', async () => {
    const doc = await t.request({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(doc.body.paths).sort()).toEqual([...new Set(ROUTES.map((r) => r.path))].sort());
  });
});
