import type { CreatedClient } from '@ostracon/auth';
import type { Role } from '@ostracon/common';
import { ROUTES } from '../apps/api/src/openapi/openapi';
import { orderBody } from './support/builders';
import { type RequestOptions, startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 29 § 5: a NUL in a path parameter reached PostgreSQL (22021) and answered 500. Every path
 * parameter of every described route, with hostile values alone and after a valid id: a refusal
 * (400 or 404; 414 for the over-long one, REQUEST.URI_TOO_LONG), as problem+json, never a 500.
 */
const HOSTILE: Record<string, string> = {
  nul: '%00',
  'control character': '%01',
  'escape character': '%1B',
  'over-long': 'a'.repeat(300),
  'malformed percent-encoding': '%ZZ',
  'encoded slash': '..%2F',
  'lone surrogate': '%ED%A0%80',
  'encoded lone surrogate (CESU)': '%ED%B0%80',
  'right-to-left override': '%E2%80%AE',
};

/** Valid bodies for the routes whose path has a parameter and that take a body: the parameter is then the only thing wrong. */
function bodies(platform: string): Record<string, unknown> {
  return {
    'patch /v1/admin/platforms/{id}': { name: 'Plateforme renommée', slaHours: 24 },
    'post /v1/admin/platforms/{id}/webhook-secret': { webhookSecret: `whsec_${Buffer.alloc(32, 9).toString('base64')}`, overlapHours: 1 },
    'patch /v1/admin/clients/{id}': { signupRatePerSecond: 50, signupRateBurst: 2000 },
    // An organisation that does not exist: the hostile id must be refused before anyone looks it up.
    'patch /v1/admin/people/{id}': { organisation: '01a25087-0000-7000-8000-000000000000' },
    'post /v1/orders/{id}/revoke': { reason: 'appel', decisionReference: 'CA-PARIS-2026-1' },
    'post /v1/orders/{id}/appeal': { lodgedOn: '2026-12-01', reference: 'CA-PARIS-2026-2' },
    'post /v1/orders/{id}/appeal/outcome': { outcome: 'quashed', decidedOn: '2026-12-01', decisionReference: 'CA-PARIS-2026-3' },
    'post /v1/orders/{id}/relief': { decidedOn: '2026-12-01', decisionReference: 'TJ-PARIS-2026-4' },
    'post /v1/directives/{id}/ack': { outcome: 'enforced', note: 'suspendu' },
    'post /v1/orders': orderBody(platform),
    'post /v1/orders/{id}/linked-accounts': { accountId: 'autre-compte' },
    'post /v1/orders/{id}/linked-accounts/{reportId}/decision': { decision: 'reject' },
    'post /v1/signup-matches/{matchId}/review': { outcome: 'not_same_person' },
  };
}

describe('edges: every path parameter of every route refuses hostile values', () => {
  let t: TestApp;
  let platform: string;
  let orderId: string;
  const clients = new Map<Role, CreatedClient>();

  beforeAll(async () => {
    t = await startTestApp();
    platform = await t.platform('edges');
    for (const role of ['admin', 'authority', 'auditor'] as const) clients.set(role, await t.client(role));
    clients.set('platform', await t.client('platform', platform));
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: clients.get('authority')!.apiKey,
      body: orderBody(platform),
      headers: { 'idempotency-key': `edges-${Date.now()}` },
    });
    expect(created.status).toBe(201);
    orderId = created.body.id as string;
  });
  afterAll(() => t.close());

  /** A valid value of each parameter, for the "valid id, then the hostile suffix" case. */
  const validOf = (path: string) =>
    path.startsWith('/v1/admin/platforms') ? platform : path.startsWith('/v1/admin/clients') ? clients.get('admin')!.id : orderId;

  it('walks every route with a path parameter', async () => {
    const withParams = ROUTES.filter((r) => r.path.includes('{'));
    // The table is what is walked: a route added later is fuzzed too (and needs a body here if it takes one).
    expect(withParams.length).toBeGreaterThanOrEqual(10);
    const examples = bodies(platform);
    const missing = withParams.filter((r) => r.body && !(`${r.method} ${r.path}` in examples)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);

    const failures: string[] = [];
    let sent = 0;
    for (const route of withParams) {
      const role = (route.roles ?? ['admin'])[0]!;
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const name of names) {
        for (const [label, hostile] of Object.entries(HOSTILE)) {
          for (const value of [hostile, `${validOf(route.path)}${hostile}`]) {
            const url = route.path.replace(/\{(\w+)\}/g, (_, n: string) => (n === name ? value : validOf(route.path)));
            const res = await t.request({
              method: route.method.toUpperCase() as RequestOptions['method'],
              url,
              key: clients.get(role)!.apiKey,
              body: examples[`${route.method} ${route.path}`],
            });
            sent++;
            const allowed = label === 'over-long' ? [400, 404, 414] : [400, 404];
            const problem = String(res.headers['content-type'] ?? '').startsWith('application/problem+json');
            if (!allowed.includes(res.status) || !problem || typeof res.body?.code !== 'string') {
              failures.push(
                `${route.method.toUpperCase()} ${route.path} {${name}}=${label}${value === hostile ? '' : ' (after a valid id)'} → ${res.status} ${res.body?.code ?? ''}`,
              );
            }
            // Never echoed back.
            if (res.text.includes(value) && value.length > 3) failures.push(`${route.method} ${route.path}: echoes ${label}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });

  it('refuses a control character in a path parameter with a stable code, the value not echoed', async () => {
    for (const url of ['/v1/admin/platforms/tiktok%00', '/v1/admin/platforms/%00', `/v1/admin/clients/${clients.get('admin')!.id}%00`]) {
      const res = await t.request({ method: 'PATCH', url, key: clients.get('admin')!.apiKey, body: { name: 'Plateforme' } });
      expect([url, res.status, res.body.code]).toEqual([url, 400, 'REQUEST.BAD_PATH_PARAMETER']);
      expect(res.text).not.toContain('tiktok');
    }
  });
});
