/**
 * Console benchmark (issue 12): each page's first render in Debian's Chromium, with the log at
 * 100,000 events or more. Run with `npm run bench` (BENCH_ONLY=console for this one alone).
 *
 * For each page, a fresh navigation of a signed-in browser is timed by the page's own clock
 * (performance.now(), from the navigation's start) to the page's data in the document (the
 * element that shows it), five times after one that warms the cache; the median is kept. The baseline, in
 * the same run and the same browser: the simplest program that does the job — a bare Node HTTP
 * server answering one static HTML page holding a 50-row table, timed to that table on screen.
 * The figure is the ratio to it, and the absolute time against the target (interactive under 1 s).
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClientsService, OrganisationsService, PeopleService } from '@ostracon/auth';
import { AuditTreeService } from '@ostracon/audit';
import { loadConfig } from '@ostracon/config';
import { OrdersService } from '@ostracon/orders';
import { PlatformsService } from '@ostracon/platforms';
import { chromium, type Page } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { fillLog } from './fill-log';
import { RESULTS_DIR } from './paths';

const EVENTS = Number(process.env.BENCH_CONSOLE_EVENTS ?? 100_000);
const ORDERS = Number(process.env.BENCH_CONSOLE_ORDERS ?? 200);
const RUNS = 5;
const PORT = Number(process.env.BENCH_CONSOLE_PORT ?? 3977);
const TARGET_MS = 1000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config, { relay: false, delivery: false, lifecycle: false, auditTree: false }),
    { logger: ['error'] },
  );
  const dataSource = app.get<DataSource>(getDataSourceToken());

  // The data: a platform, an authority with ORDERS orders, an auditor, and the log filled to EVENTS.
  const suffix = Date.now().toString(36);
  if (!(await app.get(PlatformsService).exists('bench-console'))) {
    await app.get(PlatformsService).create({ id: 'bench-console', name: 'Bench console' }, 'cli');
  }
  const organisations = app.get(OrganisationsService);
  const people = app.get(PeopleService);
  const authority = await organisations.create({ name: `Bench parquet ${suffix}`, role: 'authority' }, 'cli');
  const auditors = await organisations.create({ name: `Bench CNIL ${suffix}`, role: 'auditor' }, 'cli');
  const clerk = `clerk.${suffix}@bench.example.fr`;
  const inspector = `inspector.${suffix}@bench.example.fr`;
  await people.invite({ email: clerk, organisation: authority.id }, 'cli');
  await people.invite({ email: inspector, organisation: auditors.id }, 'cli');
  const key = await app.get(ClientsService).create({ name: 'bench', organisation: authority.id }, 'cli');
  const caller = { kind: 'client' as const, id: key.id, name: key.name, role: key.role, organisationId: authority.id, platformId: null };
  const decided = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  let orderId = '';
  for (let i = 0; i < ORDERS; i++) {
    const order = await app.get(OrdersService).create(caller, {
      courtReference: `BENCH-${suffix}-${i}`,
      court: 'Tribunal judiciaire de Paris',
      decisionDate: decided,
      legalBasis: 'conviction',
      offence: 'cyberharassment',
      repeatOffender: false,
      durationDays: 180,
      subject: { signals: [{ type: 'email', value: `bench.${suffix}.${i}@example.fr` }] },
      platforms: [{ platform: 'bench-console', accounts: [{ accountId: `acct-${i}` }] }],
    });
    orderId = order.id;
  }
  await fillLog(dataSource, EVENTS);
  const tree = app.get(AuditTreeService);
  while ((await tree.extend(20_000)) > 0);
  await dataSource.query(`VACUUM (ANALYZE) audit_events, audit_tree_tiles, ban_orders`);
  const events = await tree.size();
  await app.close();

  // The API and the worker (checkpoints), as npm start runs them.
  const base = `http://127.0.0.1:${PORT}`;
  const env = { ...process.env, PORT: String(PORT), LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: base, LOG_LEVEL: 'error' };
  const processes: ChildProcess[] = ['api', 'worker'].map((name) =>
    spawn(process.execPath, [join(__dirname, '..', 'apps', name, 'src', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  try {
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // The baseline: a bare server, one static page with a 50-row table.
    const rows = Array.from({ length: 50 }, (_, i) => `<tr><td>${i}</td><td>BENCH-${i}</td><td>active</td></tr>`).join('');
    const html = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>baseline</title></head><body><table id="t">${rows}</table></body></html>`;
    const bare = createServer((req, res) =>
      req.url === '/health/live'
        ? res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
        : res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
    );
    bare.listen(0, '127.0.0.1');
    await once(bare, 'listening');
    const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/`;

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const timed = async (page: Page, url: string, selector: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        // From a page of the same origin: a new origin would add a renderer process's start to each run.
        await page.goto(new URL('/health/live', url).toString());
        await page.goto(url, { waitUntil: 'commit' });
        await page.waitForSelector(selector, { timeout: 10_000, state: 'attached' });
        // The page's own clock: from its navigation's start to the data on screen.
        const ms = await page.evaluate(() => performance.now());
        if (i > 0) times.push(ms); // the first warms the cache, as a working day would
      }
      return Math.round(median(times));
    };
    const signIn = async (login: string): Promise<Page> => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${base}/console/`);
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').click();
      await page.waitForSelector('[data-testid="who"]');
      return page;
    };

    const baselinePage = await (await browser.newContext()).newPage();
    const baselineMs = await timed(baselinePage, bareUrl, '#t tr:nth-child(50)');

    const clerkPage = await signIn(clerk);
    const inspectorPage = await signIn(inspector);
    // The auditor pins the key once, as the verification page asks.
    await inspectorPage.goto(`${base}/console/#/audit/verify`);
    await inspectorPage.click('[data-testid="pin"]');
    await inspectorPage.waitForSelector('[data-testid="pinned"]');

    const pages: { page: string; ms: number }[] = [];
    const measure = async (name: string, page: Page, hash: string, selector: string) => {
      const ms = await timed(page, `${base}/console/${hash}`, selector);
      pages.push({ page: name, ms });
      console.log(`${name}: ${ms} ms`);
    };
    await measure('orders (first page of 20)', clerkPage, '#/orders', '[data-testid="orders"] tbody tr');
    await measure('an order with its timeline', clerkPage, `#/orders/${orderId}`, '.ost-timeline li');
    await measure('new order form', clerkPage, '#/orders/new', '#f-offence option:nth-child(2)');
    await measure(`the log, ${events} events (first page of 50)`, inspectorPage, '#/audit', '[data-testid="events"] tbody tr');
    await measure(
      `the log, ${events} events, a page deep in it`,
      inspectorPage,
      `#/audit?after=${Buffer.from(JSON.stringify([Math.floor(events * 0.9)])).toString('base64url')}`,
      '[data-testid="events"] tbody tr',
    );
    await measure('verification (checkpoint signature and consistency)', inspectorPage, '#/audit/verify', '[data-testid="consistency"]');
    await measure('compliance report', inspectorPage, '#/reports/compliance', 'h1');
    await browser.close();
    bare.close();

    const result = {
      date: new Date().toISOString(),
      machine: 'this machine: 2 cores; Chromium headless, same host as the API, PostgreSQL and Redis',
      events,
      orders: ORDERS,
      baseline: { what: 'a bare Node HTTP server, one static page with a 50-row table, timed to the table on screen', ms: baselineMs },
      pages: pages.map((p) => ({
        ...p,
        ratio: +(p.ms / Math.max(1, baselineMs)).toFixed(1),
        target: `< ${TARGET_MS} ms`,
        met: p.ms < TARGET_MS,
      })),
    };
    const dir = RESULTS_DIR;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'console.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    for (const p of processes) p.kill('SIGTERM');
    await Promise.all(processes.map((p) => (p.exitCode === null ? once(p, 'exit') : undefined)));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
