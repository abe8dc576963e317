import { loadConfig } from '@ostracon/config';
import { ScreeningIndexService } from '@ostracon/screening';
import { createApiApp } from '../apps/api/src/create-api-app';
import { MetricsServer } from '../apps/api/src/metrics/metrics.server';
import { startTestApp, type TestApp } from './support/test-app';

describe('operations: health, metrics, docs, request ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is live and ready when PostgreSQL and Redis answer', async () => {
    expect((await t.request({ method: 'GET', url: '/health/live' })).body).toEqual({ status: 'ok' });
    const ready = await t.request({ method: 'GET', url: '/health/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { postgres: 'ok', redis: 'ok', index: 'ok', keys: 'ok', signIn: 'off' },
      processes: { ready: 1, total: 1, pid: process.pid },
    });
  });

  it('stays ready but says degraded when Redis is unreachable: checks go on from memory', async () => {
    const config = { ...loadConfig(), redis: { url: 'redis://127.0.0.1:1' } };
    const app = await createApiApp({ config, logDestination: { write: () => {} } as never });
    await app.get(ScreeningIndexService).ready();
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        status: 'degraded',
        checks: { postgres: 'ok', redis: 'down', index: 'ok', keys: 'ok', signIn: 'off' },
        processes: { ready: 1, total: 1, pid: process.pid },
      });
    } finally {
      await app.close();
    }
  });

  it('serves Prometheus metrics on a listener of its own, with request durations by route', async () => {
    await t.request({ method: 'GET', url: '/health/live' });
    const res = await fetch(t.app.get(MetricsServer).url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/ostracon_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(text).toContain('ostracon_api_process_cpu_seconds_total');
    expect(new URL(t.app.get(MetricsServer).url).hostname).toBe('127.0.0.1');
  });

  it('does not serve metrics on the public port', async () => {
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ROUTE.NOT_FOUND');
    expect(res.text).not.toContain('ostracon_');
  });

  it('counts problem answers by their stable code', async () => {
    await t.request({ method: 'GET', url: '/v1/orders' }); // no key
    await t.request({ method: 'GET', url: '/no/such/route' });
    await t.request({ method: 'POST', url: '/v1/signup-checks', rawBody: '{' }); // the lean route's own path
    const text = await t.metrics();
    expect(text).toMatch(/ostracon_http_problems_total\{code="AUTH.UNAUTHENTICATED"\} [1-9]/);
    expect(text).toMatch(/ostracon_http_problems_total\{code="ROUTE.NOT_FOUND"\} [1-9]/);
    expect(text).toMatch(/ostracon_http_problems_total\{code="REQUEST.MALFORMED_JSON"\} [1-9]/);
  });

  it('serves the OpenAPI document, built from the validating schemas, and its UI', async () => {
    const doc = await t.request({ method: 'GET', url: '/docs/json' });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const create = doc.body.paths['/v1/orders'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['courtReference', 'decisionDate', 'legalBasis', 'subject', 'platforms']));
    expect(schema.properties.legalBasis.enum).toEqual(['conviction', 'pretrial_supervision', 'probation']);
    expect(create.responses['401']).toBeDefined();
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/orders/{id}',
        '/v1/orders/{id}/revoke',
        '/health/ready',
        '/v1/signup-checks',
        '/v1/signup-checks/batch',
      ]),
    );
    const batch = doc.body.paths['/v1/signup-checks/batch'].post.requestBody.content['application/json'].schema;
    expect(batch.properties.checks.maxItems).toBe(1000);
    expect(doc.body.paths['/v1/signup-matches/{matchId}'].get.parameters).toEqual([
      expect.objectContaining({ name: 'matchId', in: 'path' }),
    ]);
    expect(doc.body.paths['/v1/audit/proofs/inclusion'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'seq',
      'size',
      'bundle',
    ]);
    expect(doc.body.paths['/v1/audit/checkpoint/note'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['witnessed']);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/audit/events', '/v1/audit/events/export', '/v1/audit/checkpoint']),
    );
    const ui = await t.request({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.status);
  });

  it('reports queue and directive gauges', async () => {
    const text = await t.metrics();
    expect(text).toMatch(/ostracon_queue_jobs\{state="waiting"\} \d+/);
    expect(text).toContain('# TYPE ostracon_directives gauge');
    expect(text).toContain('# TYPE ostracon_directives_sla_breached gauge');
  });

  it('serves the queue dashboard to admin clients only', async () => {
    const admin = await t.client('admin');
    const authority = await t.client('authority');
    const none = await t.request({ method: 'GET', url: '/admin/queues' });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('AUTH.UNAUTHENTICATED');
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;
    const forbidden = await t.request({ method: 'GET', url: '/admin/queues', headers: { authorization: basic(authority.apiKey) } });
    expect(forbidden.status).toBe(403);
    const ok = await t.request({ method: 'GET', url: '/admin/queues', headers: { authorization: basic(admin.apiKey) } });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/text\/html/);
    const api = await t.request({ method: 'GET', url: '/admin/queues/api/queues', key: admin.apiKey });
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain('directives');
  });

  it('echoes a sane x-request-id and replaces one that is not', async () => {
    const kept = await t.request({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(kept.headers['x-request-id']).toBe('trace-abc.123');
    const replaced = await t.request({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id with spaces\u0000' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await t.request({ method: 'GET', url: '/nope' });
    expect(generated.body.traceId).toBe(generated.headers['x-request-id']);
  });

  it('redacts the Authorization header from request logs', async () => {
    const local = await startTestApp({ logLevel: 'trace' });
    try {
      const key = 'ost_' + 'Z'.repeat(43);
      await local.request({ method: 'GET', url: '/v1/orders', key });
      expect(local.logs.text()).toContain('request completed');
      expect(local.logs.text()).not.toContain(key);
    } finally {
      await local.close();
    }
  });
});
