/// <reference lib="dom" />
import { createPrivateKey, createHash, randomBytes, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import canonicalize from 'canonicalize';
import type { Browser, Page } from 'playwright-core';
import { orderBody } from './support/builders';
import { collectProblems, expectFrench, screenshot, seriousAccessibilityViolations, signedInContext } from './support/chromium';
import { waitFor } from './support/isolated';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';

/**
 * The inspector's pages (issue 28, points 5–7) in Debian's Chromium, at desktop and phone width:
 * a log that names its authors (an audited read), pages both ways and filters by court
 * reference; a verification that starts by pinning, says "non vérifié" of what it did not
 * check, and saves a report with the bytes that failed; a compliance table that sums, reads in
 * minutes, names platforms and fits. And the API parameters behind them, bad inputs included.
 */
jest.setTimeout(180_000);

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

describe('the inspector’s console', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `clerk.${unique}@parquet-a.example.fr`;
  const otherClerk = `clerk.${unique}@parquet-b.example.fr`;
  const inspector = `inspector.${unique}@cnil.example.fr`;
  let cnilName: string;
  let platform: string;
  let platformKey: string;
  let auditorKey: string;
  let otherAuthorityKey: string;
  const references: string[] = [];
  const orderIds: string[] = [];

  beforeAll(async () => {
    ({ world, base, browser } = await startConsoleWorld('inspect', { worker: {}, fastLog: true }));
    const organisations = world.api.app.get(OrganisationsService);
    const people = world.api.app.get(PeopleService);
    cnilName = `CNIL ${unique}`;
    const cnil = await organisations.create({ name: cnilName, role: 'auditor' }, 'cli');
    const parquetB = await organisations.create({ name: `Parquet de Lyon ${unique}`, role: 'authority' }, 'cli');
    // The clerk belongs to the world's authority, whose key registers the orders below.
    await people.invite({ email: clerk, organisation: world.authority.organisation }, 'cli');
    await people.invite({ email: otherClerk, organisation: parquetB.id }, 'cli');
    await people.invite({ email: inspector, organisation: cnil.id }, 'cli');
    platform = await world.api.platform('tiktok', { slaHours: 24 });
    platformKey = (await world.api.client('platform', platform)).apiKey;
    auditorKey = (await world.api.client('auditor')).apiKey;
    otherAuthorityKey = (await world.api.client('authority')).apiKey;
    for (let i = 0; i < 3; i++) {
      const reference = `TJ-INSPECT-${unique}-${i}`;
      const res = await world.submit(orderBody(platform, new Date(), { courtReference: reference }));
      expect(res.status).toBe(201);
      references.push(reference);
      orderIds.push(res.body.id);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  const get = (url: string, key = auditorKey) => world.api.request({ method: 'GET', url, key });

  /** What went wrong in the page: console errors, page errors, failed requests, answers ≥ 400. */
  let troubles: string[][] = [];
  async function signedInPage(login: string, viewport = DESKTOP): Promise<Page> {
    // Watched once signed in: before, the console is answered 401 and the provider's own page is not ours.
    const { page } = await signedInContext(browser, base, login, { viewport, acceptDownloads: true });
    // The favicon is the shell's (issue 28, point 10).
    troubles.push(collectProblems(page, (url) => url.endsWith('/favicon.ico')));
    return page;
  }
  beforeEach(() => {
    troubles = [];
  });
  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) await context.close();
  });

  async function expectAccessible(page: Page): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }
  /** The page's content does not scroll sideways (the header is the shell's, tested with it). */
  const overflow = (page: Page) =>
    page.evaluate(() => {
      const main = document.querySelector('main')!;
      return Math.max(main.scrollWidth - main.clientWidth, main.getBoundingClientRect().right - document.documentElement.clientWidth);
    });
  const seqs = (page: Page) =>
    page.locator('[data-testid="events"] tbody tr[data-seq]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
  /** The page in French and its screenshots, at 1280 then 375 px (axe at both), back to 1280. */
  async function bothWidths(page: Page, state: string): Promise<void> {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await expectFrench(page, `${state} (${viewport.width} px)`);
      if (viewport === PHONE) {
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await expectAccessible(page);
        // The report's bytes readable on a phone: each value about as wide as the screen, not a column of single characters.
        const narrowest = await page.$$eval('[data-testid="report-bytes"] dd', (dds) =>
          Math.min(...dds.map((d) => d.getBoundingClientRect().width)),
        );
        expect(narrowest).toBeGreaterThan(PHONE.width / 2);
      }
      await screenshot(page, `${state}-${viewport === PHONE ? 'phone' : 'desktop'}`);
    }
    await page.setViewportSize(DESKTOP);
  }
  const eventCount = async () => Number((await world.api.dataSource.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n);

  describe('the API behind the pages', () => {
    it('lists the log newest first and pages it both ways: next, previous, last', async () => {
      // The three orders' creations: a filter no read of this test adds to.
      const page = (query: string) => get(`/v1/audit/events?type=order.created&order=desc&limit=1${query}`);
      const first = await page('');
      expect(first.status).toBe(200);
      const [newest] = first.body.items.map((e: { seq: number }) => e.seq);
      expect(first.body.prevCursor).toBeNull();
      const second = await page(`&after=${first.body.nextCursor}`);
      expect(second.body.items[0].seq).toBeLessThan(newest);
      const back = await page(`&before=${second.body.prevCursor}`);
      expect(back.body.items.map((e: { seq: number }) => e.seq)).toEqual([newest]);
      expect(back.body.prevCursor).toBeNull();
      const last = await page('&last=true');
      expect(last.body.nextCursor).toBeNull();
      expect(last.body.prevCursor).not.toBeNull();
      const all = await get('/v1/audit/events?type=order.created&order=desc');
      const seqs = all.body.items.map((e: { seq: number }) => e.seq);
      expect(seqs).toHaveLength(3);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      expect(last.body.items[0].seq).toBe(seqs[2]);
      // The last page is full, read from the far end.
      expect((await get('/v1/audit/events?order=desc&limit=3&last=true')).body.items.map((e: { seq: number }) => e.seq)).toEqual([3, 2, 1]);
      // Oldest first stays the default, for the clients written before.
      const asc = await get('/v1/audit/events?limit=2');
      expect(asc.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    });

    it('filters the log by court reference within what the caller may see, and never says a reference exists elsewhere', async () => {
      const mine = await get(`/v1/audit/events?limit=500&courtReference=${encodeURIComponent(references[0]!.toLowerCase())}`);
      expect(mine.status).toBe(200);
      expect(mine.body.items.length).toBeGreaterThan(0);
      expect(new Set(mine.body.items.map((e: { orderId: string }) => e.orderId))).toEqual(new Set([orderIds[0]]));
      // The authority that registered the order sees the same events. The worker may append the
      // order's delivery events between the two reads: compare up to the first read's last event.
      const own = await get(`/v1/audit/events?limit=500&courtReference=${references[0]}`, world.authority.apiKey);
      const mineSeqs = mine.body.items.map((e: { seq: number }) => e.seq);
      const lastSeen = Math.max(...mineSeqs);
      expect(own.body.items.map((e: { seq: number }) => e.seq).filter((seq: number) => seq <= lastSeen)).toEqual(mineSeqs);
      const elsewhere = await get(`/v1/audit/events?courtReference=${references[0]}`, otherAuthorityKey);
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.body).toEqual({ items: [], nextCursor: null, prevCursor: null });
      const unknown = await get(`/v1/audit/events?courtReference=NO-SUCH-${unique}`, otherAuthorityKey);
      expect(unknown.body).toEqual(elsewhere.body);
    });

    it('refuses bad paging, order and court reference parameters with 400 VALIDATION.FAILED on the parameter', async () => {
      const cases: [string, string][] = [
        ['order=sideways', 'order'],
        ['before=bm90LWEtY3Vyc29y', 'before'],
        ['after=WzFd&before=WzFd', 'before'],
        ['last=true&after=WzFd', 'before'],
        ['last=yes', 'last'],
        ['courtReference=%00x', 'courtReference'],
        [`courtReference=${'x'.repeat(101)}`, 'courtReference'],
      ];
      for (const [query, path] of cases) {
        const res = await get(`/v1/audit/events?${query}`);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION.FAILED']);
        expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      }
    });

    it('resolves a page of person ids in one audited read; an authority only its own people', async () => {
      const [clerkRow] = await world.api.dataSource.query(`SELECT id FROM people WHERE email = $1`, [clerk]);
      const [inspectorRow] = await world.api.dataSource.query(`SELECT id FROM people WHERE email = $1`, [inspector]);
      const before = await eventCount();
      const res = await get(`/v1/people?ids=${clerkRow.id},${inspectorRow.id},${clerkRow.id}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((p: { email: string; organisationName: string }) => [p.email, p.organisationName]).sort()).toEqual(
        [
          [clerk, expect.any(String)],
          [inspector, cnilName],
        ].sort(),
      );
      const resolved = await world.api.dataSource.query(
        `SELECT data FROM audit_events WHERE type = 'person.resolved' AND seq > $1 ORDER BY seq`,
        [before],
      );
      expect(resolved).toHaveLength(1);
      expect([...resolved[0].data.personIds].sort()).toEqual([clerkRow.id, inspectorRow.id].sort());
      // Another organisation's authority learns nothing of these people.
      const elsewhere = await get(`/v1/people?ids=${clerkRow.id}`, otherAuthorityKey);
      expect(elsewhere.body).toEqual({ items: [] });
      for (const query of ['ids=not-a-uuid', '', `ids=${Array.from({ length: 101 }, () => randomUUID()).join(',')}`]) {
        const bad = await get(`/v1/people?${query}`);
        expect([query, bad.status, bad.body.code]).toEqual([query, 400, 'VALIDATION.FAILED']);
      }
      // A platform's key may not resolve anyone.
      expect((await get(`/v1/people?ids=${clerkRow.id}`, platformKey)).status).toBe(403);
    });
  });

  it('shows an inspector a log with names, newest first, paged both ways, filtered by court reference, its detail beside its action', async () => {
    await waitFor(async () => (await eventCount()) > 12, 'enough events for several pages');
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage(inspector, viewport);
      await page.goto(`${base}/console/#/audit?limit=4`);
      await page.waitForSelector('[data-testid="events"]');
      // Names, not ids: the inspector's own reads are signed by a name and an organisation.
      await page.waitForFunction((org) => document.querySelector('[data-testid="events"]')?.textContent?.includes(org), cnilName);
      const shown = await page.locator('[data-testid="events"]').innerText();
      expect(shown).not.toMatch(/person:[0-9a-f]/);
      const [inspectorRow] = await world.api.dataSource.query(`SELECT id FROM people WHERE email = $1`, [inspector]);
      const audited = await world.api.dataSource.query(`SELECT data FROM audit_events WHERE type = 'person.resolved' AND actor LIKE $1`, [
        `person:${inspectorRow.id}@%`,
      ]);
      expect(audited.some((r: { data: { personIds: string[] } }) => r.data.personIds.includes(inspectorRow.id))).toBe(true);

      // Newest first; first, previous, next, last.
      const first = await seqs(page);
      expect(first).toHaveLength(4);
      expect(first).toEqual([...first].sort((a, b) => b - a));
      expect(await page.locator('[data-testid="page-prev"]').getAttribute('aria-disabled')).toBe('true');
      await page.click('[data-testid="page-next"]');
      await page.waitForFunction((top) => Number(document.querySelector('tr[data-seq]')?.getAttribute('data-seq')) < top, first[3]! + 1);
      const second = await seqs(page);
      expect(second[0]).toBeLessThan(first[3]!);
      await page.click('[data-testid="page-last"]');
      await page.waitForFunction(() => document.querySelector('tbody tr[data-seq]:last-child')?.getAttribute('data-seq') === '1');
      expect(await seqs(page)).toEqual([4, 3, 2, 1]);
      expect(await page.locator('[data-testid="page-next"]').getAttribute('aria-disabled')).toBe('true');
      await page.click('[data-testid="page-prev"]');
      await page.waitForFunction(() => document.querySelector('tbody tr[data-seq]:last-child')?.getAttribute('data-seq') === '5');
      expect(await seqs(page)).toEqual([8, 7, 6, 5]);
      await page.click('[data-testid="page-first"]');
      await page.waitForFunction(() => !document.querySelector('[data-testid="page-first"][href]'));
      expect((await seqs(page))[0]).toBeGreaterThanOrEqual(first[0]!);

      // An event opened: its detail under it, its action still on screen.
      const seq = (await seqs(page))[1]!;
      await page.click(`[data-testid="open-${seq}"]`);
      await page.waitForSelector(`[data-testid="event-${seq}"]`);
      const box = (await page.locator(`[data-testid="open-${seq}"]`).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
      expect(await page.locator(`[data-testid="open-${seq}"]`).getAttribute('aria-expanded')).toBe('true');
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await expectAccessible(page);
      await expectFrench(page, `the log, an event open (${viewport.width} px)`);
      await screenshot(page, viewport === PHONE ? 'audit-log-phone' : 'audit-log-desktop');

      // By court reference, as typed: that order's events only.
      await page.fill('#log-court-reference', references[1]!.toLowerCase());
      await page.click('form[aria-label="Filtrer"] button[type="submit"]');
      await page.waitForFunction(() => /courtReference=/.test(window.location.hash));
      await page.waitForSelector('[data-testid="events"]');
      const ofOrder = (await world.api.dataSource.query(`SELECT seq FROM audit_events WHERE order_id = $1`, [orderIds[1]])).map(
        (r: { seq: string }) => Number(r.seq),
      );
      const filtered = await seqs(page);
      expect(filtered.length).toBeGreaterThan(0);
      for (const s of filtered) expect(ofOrder).toContain(s);
      await expectAccessible(page);

      // By platform, chosen by its name: only that platform's events.
      await page.fill('#log-court-reference', '');
      await page.waitForSelector(`#log-platform option[value="${platform}"]`, { state: 'attached' });
      expect(await page.locator(`#log-platform option[value="${platform}"]`).innerText()).toBe(`Test platform ${platform}`);
      await page.selectOption('#log-platform', platform);
      await page.click('form[aria-label="Filtrer"] button[type="submit"]');
      await page.waitForFunction((p) => window.location.hash.includes(`platform=${p}`), platform);
      await page.waitForSelector('[data-testid="events"] tbody tr');
      const ofPlatform = (await world.api.dataSource.query(`SELECT seq FROM audit_events WHERE platform_id = $1`, [platform])).map(
        (r: { seq: string }) => Number(r.seq),
      );
      const byPlatform = await seqs(page);
      expect(byPlatform.length).toBeGreaterThan(0);
      for (const s of byPlatform) expect(ofPlatform).toContain(s);
    }
    expect(troubles.flat()).toEqual([]);
  });

  it('shows another parquet nothing for a court reference of the first', async () => {
    const page = await signedInPage(otherClerk);
    await page.goto(`${base}/console/#/audit?courtReference=${encodeURIComponent(references[0]!)}`);
    await page.waitForFunction(() => document.querySelector('main')?.textContent?.includes('Aucun événement.'));
    expect(await page.locator('[data-testid="events"]').count()).toBe(0);
    expect(troubles.flat()).toEqual([]);
  });

  it('starts a verification by pinning, says "non vérifié" of what a failure left unchecked, and saves a report with the failing bytes', async () => {
    await waitFor(async () => (await get('/v1/audit/checkpoint')).status === 200, 'a checkpoint');
    const page = await signedInPage(inspector);
    await page.goto(`${base}/console/#/audit/verify?seq=1`);
    await page.waitForSelector('[data-testid="pin"]:not([disabled])');
    // A first visit: pinning explained as step 1, nothing in red, every check "non vérifié".
    expect(await page.locator('.fr-alert--error, .fr-badge--error').count()).toBe(0);
    expect(await page.locator('[data-testid="pin-explained"]').innerText()).toMatch(/empreinte/);
    expect(await page.locator('[data-testid="stepper"]').innerText()).toMatch(/Étape 1 sur 4/);
    for (const id of ['signature', 'consistency', 'inclusion'])
      expect(await page.locator(`[data-testid="${id}-status"]`).innerText()).toBe('NON VÉRIFIÉ');
    await expectAccessible(page);
    await bothWidths(page, 'verify-first-visit');

    await page.click('[data-testid="pin"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="signature"]')?.textContent?.includes('Signature valide'));
    await page.click('[data-testid="check-inclusion"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="inclusion"]')?.textContent?.includes('est inclus'));
    expect(await page.locator('[data-testid="stepper"]').innerText()).toMatch(/Vérification complète/);
    await expectAccessible(page);
    await bothWidths(page, 'verify-verified');

    // A checkpoint signed with another key, served by a proxy in front of the browser.
    const real = (await get('/v1/audit/checkpoint')).body;
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), randomBytes(32)]),
      format: 'der',
      type: 'pkcs8',
    });
    const message = canonicalize({ rootHash: real.rootHash, size: real.size, timestamp: real.timestamp })!;
    const forged = { ...real, signature: sign(null, Buffer.from(message), key).toString('base64') };
    await page.route('**/v1/audit/checkpoint', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(forged) }),
    );
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="signature"]')?.textContent?.includes('Signature INVALIDE'));
    expect(await page.locator('[data-testid="signature-status"]').innerText()).toBe('ÉCHEC');
    for (const id of ['consistency', 'inclusion', 'witnessed'])
      expect(await page.locator(`[data-testid="${id}-status"]`).innerText()).toBe('NON VÉRIFIÉ');
    await expectAccessible(page);
    await bothWidths(page, 'verify-failed');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="report-json"]')]);
    const report = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    const pem: string = report.key.publicKeyPem;
    const raw = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').subarray(12);
    expect(report.key.fingerprintSha256.replace(/ /g, '')).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(report.checkpoint).toMatchObject({ size: real.size, rootHash: real.rootHash });
    expect(report.results.signature).toMatchObject({
      status: 'échec',
      signatureHex: Buffer.from(forged.signature, 'base64').toString('hex'),
    });
    expect(report.results.consistency.status).toBe('non vérifié');
    expect(await page.locator('[data-testid="report-bytes"]').innerText()).toContain(
      Buffer.from(forged.signature, 'base64').toString('hex'),
    );

    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await expectFrench(page, 'verify-failed, its report (375 px)');
    expect(troubles.flat()).toEqual([]);
  });

  it('shows a compliance table whose rows sum, in minutes, with platform names, beside a chart with axes, and that fits', async () => {
    const pulled = await waitFor(async () => {
      const res = await get('/v1/directives', platformKey);
      const suspends = res.body.items.filter((d: { type: string }) => d.type === 'suspend');
      return suspends.length >= 3 ? suspends : null;
    }, 'three suspend directives delivered');
    for (const [i, outcome] of [
      [0, 'enforced'],
      [1, 'rejected'],
    ] as const) {
      const ack = await world.api.request({
        method: 'POST',
        url: `/v1/directives/${pulled[i].id}/ack`,
        key: platformKey,
        body: { outcome },
      });
      expect(ack.status).toBe(200);
    }
    // Confirmed twelve minutes after its delivery (set here: the test does not wait twelve minutes).
    await world.api.dataSource.query(`UPDATE directives SET delivered_at = acknowledged_at - interval '12 minutes' WHERE id = $1`, [
      pulled[0].id,
    ]);
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage(inspector, viewport);
      await page.goto(`${base}/console/#/reports/compliance`);
      await page.waitForSelector('[data-testid="compliance-table"]');
      const cells = await page.locator(`[data-testid="compliance-table"] tr[data-platform="${platform}"] > *`).allInnerTexts();
      const [name, , delivered, inTime, late, rejected, pending, median, p90] = cells;
      expect(name).toBe(`Test platform ${platform}`);
      expect([delivered, inTime, late, rejected, pending]).toEqual(['3', '1', '0', '1', '1']);
      expect(Number(delivered)).toBe(Number(inTime) + Number(late) + Number(rejected) + Number(pending));
      expect([median, p90]).toEqual(['12 min', '12 min']);
      expect(await page.locator('[data-testid="y-label"]').textContent()).toBe('Directives remises (nombre)');
      expect(await page.locator('[data-testid="x-label"]').textContent()).toMatch(/Mois/);
      expect(await page.locator('[data-testid="y-axis"] text').count()).toBeGreaterThan(2);
      if (viewport === DESKTOP) {
        // Not cut at 1280 px: the table fits its container.
        const fit = await page
          .locator('[data-testid="compliance-table"]')
          .evaluate((table) => [table.scrollWidth, table.closest('.fr-table__container')!.clientWidth]);
        expect(fit[0]).toBeLessThanOrEqual(fit[1]!);
      }
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await expectAccessible(page);
      await expectFrench(page, `compliance (${viewport.width} px)`);
      await screenshot(page, viewport === PHONE ? 'compliance-phone' : 'compliance-desktop');
    }
    const report = await get('/v1/reports/compliance');
    expect(report.body.items.find((r: { platform: string }) => r.platform === platform)).toMatchObject({
      platformName: `Test platform ${platform}`,
      medianSecondsToEnforce: 720,
    });
    expect(troubles.flat()).toEqual([]);
  });
});
