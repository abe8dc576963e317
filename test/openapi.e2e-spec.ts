import { PATH_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import { rolesOf } from '@ostracon/auth';
import { ZodPipe } from '@ostracon/common';
import { loadConfig } from '@ostracon/config';
import { ApiModule } from '../apps/api/src/api.module';
import { ROUTES } from '../apps/api/src/openapi/openapi';
import { SIGNUP_CHECK_PATHS, SIGNUP_CHECK_ROLES } from '../apps/api/src/signup-checks/signup-checks.routes';
import { startTestApp, type TestApp } from './support/test-app';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CONFIG } from '@ostracon/config';
import createClient from 'openapi-fetch';
import { orderBody } from './support/builders';
import type { paths } from '@ostracon/platform-sdk';

const ROOT = join(__dirname, '..');

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

  it('names every operation once, says which need no credentials, and passes a standard linter (redocly, recommended rules)', async () => {
    const doc = (await t.request({ method: 'GET', url: '/docs/json' })).body;
    const operations = Object.values(doc.paths as Record<string, Record<string, { operationId?: string; security?: unknown[] }>>).flatMap(
      (p) => Object.values(p),
    );
    const ids = operations.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/health/live'].get.security).toEqual([]);
    expect(doc.servers).toEqual([{ url: t.app.get(APP_CONFIG).signIn.publicUrl, description: 'This Ostracon service' }]);
    // The file the linter's ignore list names (scripts/openapi/.redocly.lint-ignore.yaml, each exception with its reason).
    mkdirSync(join(ROOT, '.local'), { recursive: true });
    writeFileSync(join(ROOT, '.local', 'openapi.json'), JSON.stringify(doc));
    const lint = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'redocly'),
      ['lint', '--config', 'scripts/openapi/redocly.yaml', '.local/openapi.json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const said = `${lint.stdout}${lint.stderr}`;
    expect([lint.status, said]).toEqual([0, expect.stringContaining('Your API description is valid')]);
    expect(said).not.toMatch(/You have \d+ warning/);
  });

  it('makes a client generators like: types from openapi-typescript, kept current, and an openapi-fetch client that submits an order and runs a check', async () => {
    const doc = (await t.request({ method: 'GET', url: '/docs/json' })).body;
    // The committed types (libs/platform-sdk/src/api-types.ts, npm run openapi:types) are those of the served document.
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    const generated = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'openapi-typescript'),
      [join(dir, 'openapi.json'), '-o', join(dir, 'api-types.ts')],
      {
        encoding: 'utf8',
      },
    );
    expect(generated.status).toBe(0);
    expect(readFileSync(join(dir, 'api-types.ts'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'libs', 'platform-sdk', 'src', 'api-types.ts'), 'utf8'),
    );

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const platform = await t.platform('openapi');
    const authority = await t.client('authority');
    const platformKey = (await t.client('platform', platform)).apiKey;
    const client = createClient<paths>({ baseUrl: `http://127.0.0.1:${port}` });
    type OrderInput = paths['/v1/orders']['post']['requestBody']['content']['application/json'];
    const submitted = await client.POST('/v1/orders', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      headers: { authorization: `Bearer ${authority.apiKey}` },
      // The builder's object, read as the generated type says an order is (its enums are plain strings there).
      body: orderBody(platform) as OrderInput,
    });
    expect(submitted.response.status).toBe(201);
    expect(submitted.data?.id).toMatch(/^[0-9a-f-]{36}$/);
    const order = await client.GET('/v1/orders/{id}', {
      params: { path: { id: submitted.data!.id } },
      headers: { authorization: `Bearer ${authority.apiKey}` },
    });
    expect(order.data?.status).toBeDefined();
    const check = await client.POST('/v1/signup-checks', {
      headers: { authorization: `Bearer ${platformKey}` },
      body: { signals: [{ type: 'email', value: 'nobody.here@example.org' }] },
    });
    expect([check.response.status, check.data?.decision]).toEqual([200, 'allow']);
    const refused = await client.POST('/v1/signup-checks', { headers: { authorization: `Bearer ${platformKey}` }, body: {} as never });
    expect([refused.response.status, (refused.error as { code?: string } | undefined)?.code]).toEqual([400, 'VALIDATION.FAILED']);
  });
});
