import { Controller, Get, Post, UseGuards } from '@nestjs/common';
import { AccessGuard, rolesOf } from '@ostracon/auth';
import { CommonErrors } from '@ostracon/common';
import { createOrderSchema, listOrdersQuerySchema } from '@ostracon/orders';
import { API_CONTROLLERS } from '../apps/api/src/api.module';
import { ApiRoute, routeDescriptionOf } from '../apps/api/src/openapi/api-route';
import { ERROR_CATALOGUES } from '../apps/api/src/openapi/error-catalogues';
import { OUTSIDE_THE_CONTRACT, ROUTES, describeControllers } from '../apps/api/src/openapi/openapi';
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

/** Every method and path Fastify serves (HEAD aside), read from its route tree: `get /v1/orders/{id}`. */
function servedRoutes(tree: string): string[] {
  const segments: string[] = [];
  const served: string[] = [];
  for (const line of tree.split('\n')) {
    const node = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    segments.length = node[1]!.length / 4;
    segments.push(node[2]!);
    const path = segments.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of node[3]?.split(', ') ?? []) if (method !== 'HEAD') served.push(`${method.toLowerCase()} ${path}`);
  }
  return served;
}

const described = { operationId: 'probe', summary: 'A probe', tag: 'operations', responses: { 200: { description: 'Up' } } } as const;

describe('the OpenAPI document is made from the routes the API serves', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('refuses a Nest handler without a description, a description on no route, and roles AccessGuard would not enforce', () => {
    @Controller('probe')
    class Undescribed {
      @Get()
      handle() {}
    }
    @Controller('probe')
    class DescribedOnly {
      @ApiRoute(described)
      helper() {}
    }
    @Controller('probe')
    class Unguarded {
      @Get()
      @ApiRoute({ ...described, roles: ['admin'] })
      handle() {}
    }
    @Controller('probe')
    @UseGuards(AccessGuard)
    class Roleless {
      @Post()
      @ApiRoute(described)
      handle() {}
    }
    expect(() => describeControllers([Undescribed])).toThrow('Undescribed.handle handles GET /probe without @ApiRoute');
    expect(() => describeControllers([DescribedOnly])).toThrow('DescribedOnly.helper is described (@ApiRoute) but handles no route');
    expect(() => describeControllers([Unguarded])).toThrow('Unguarded.handle: roles without AccessGuard are not enforced');
    expect(() => describeControllers([Roleless])).toThrow('Roleless.handle: AccessGuard without roles refuses everyone');
  });

  it('takes each route’s roles for AccessGuard from its description, and its body and query from the pipes that validate them', () => {
    for (const controller of API_CONTROLLERS) {
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as object;
        const description = routeDescriptionOf(handler);
        if (!description) continue;
        // What AccessGuard reads (Roles' metadata) is what the document says.
        expect([name, rolesOf(handler) ?? null]).toEqual([name, description.roles ?? null]);
      }
    }
    // The very schemas the controllers' ZodPipes hold.
    expect(ROUTES.find((r) => r.operationId === 'submitOrder')!.body).toBe(createOrderSchema);
    expect(ROUTES.find((r) => r.operationId === 'listOrders')!.query).toBe(listOrdersQuerySchema);
  });

  it('lists every route Fastify serves, Nest’s and the lean sign-up checks alike, and only those', () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    const served = servedRoutes(fastify.printRoutes({ commonPrefix: false }));
    const documented = ROUTES.map((r) => `${r.method} ${r.path}`);
    // Read right: the tree yields the routes the document names, and more.
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
    const undocumented = served.filter(
      (route) => !documented.includes(route) && !OUTSIDE_THE_CONTRACT.some((o) => route.split(' ')[1]!.startsWith(o.prefix)),
    );
    expect(undocumented).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('describes each problem by codes of the catalogues, under the status each code has', async () => {
    const statusOf = new Map(ERROR_CATALOGUES.flatMap((c) => Object.values(c.errors).map((e) => [e.code, e.status] as const)));
    const doc = (await t.request({ method: 'GET', url: '/docs/json' })).body;
    const wrong: string[] = [];
    let problems = 0;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, any> }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!response.content?.['application/problem+json']) continue;
          problems++;
          const codes = [...(response.description as string).matchAll(/[A-Z_]+\.[A-Z_]+/g)].map(([code]) => code);
          if (codes.length === 0) wrong.push(`${method} ${path} ${status} names no code`);
          for (const code of codes) if (statusOf.get(code) !== Number(status)) wrong.push(`${method} ${path} ${status} ${code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(problems).toBeGreaterThan(ROUTES.length);
    expect(doc.paths['/v1/orders'].post.responses['401'].description).toBe(CommonErrors.unauthenticated.code);
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
