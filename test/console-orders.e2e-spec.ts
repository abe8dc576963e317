/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import type { Browser, Page } from 'playwright-core';
import { idempotencyKey, orderBody } from './support/builders';
import { collectProblems, expectFrench, fill, screenshot, seriousAccessibilityViolations, signedInContext } from './support/chromium';
import { OffsetClock, waitFor } from './support/isolated';
import { submitOrder } from './support/test-app';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';

/**
 * The clerk's daily work on orders, in the API and in Chromium: which platforms are late (past their
 * deadline unanswered) and the late filter, finding an order by the start of its reference, a
 * platform chosen by name, a court reference registered twice, the CSV export, the certificate of
 * enforcement with the log's sequence numbers and checkpoint, and an order page that follows its
 * platforms by itself. Time moves with the world's clock (OffsetClock): an SLA of one hour is
 * missed by moving it two hours on.
 */
jest.setTimeout(180_000);

const HOUR = 3600_000;

describe('orders: late platforms, search, duplicates, export and certificate', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const clock = new OffsetClock();
  const unique = randomBytes(3).toString('hex');
  const clerk = `clerk.${unique}@parquet.example.fr`;
  const newcomer = `newcomer.${unique}@parquet-lyon.example.fr`;
  /** Three pull platforms, one hour to answer: `quick` answers in time, `slow` never, `other` only in the second order. */
  const platforms: Record<'quick' | 'slow' | 'other', { id: string; key: string; name: string }> = {} as never;
  const key = () => world.authority.apiKey;
  const get = (url: string) => world.api.request({ method: 'GET', url, key: key() });

  async function pull(platform: { key: string }, orderId: string): Promise<{ id: string }> {
    return waitFor(async () => {
      const res = await world.api.request({ method: 'GET', url: '/v1/directives', key: platform.key });
      return res.body.items.find((d: { orderId: string; type: string }) => d.orderId === orderId && d.type === 'suspend');
    }, 'the directive to be pullable');
  }
  async function ack(platform: { key: string }, directiveId: string): Promise<void> {
    const res = await world.api.request({
      method: 'POST',
      url: `/v1/directives/${directiveId}/ack`,
      key: platform.key,
      body: { outcome: 'enforced' },
    });
    expect(res.status).toBe(200);
  }
  async function order(overrides: Record<string, unknown>, on: string[]): Promise<{ id: string; courtReference: string }> {
    const res = await world.submit(
      orderBody(on[0]!, clock.now(), {
        ...overrides,
        platforms: on.map((p, i) => ({ platform: p, accounts: [{ accountId: `acct-${i}` }] })),
      }),
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  /** Ordered by age: `late` (quick answered in time, slow past its deadline), then `fresh` (other, still in time). */
  let late: { id: string; courtReference: string };
  let fresh: { id: string; courtReference: string };
  let untouched: { id: string; courtReference: string };
  let freshDirective: string;

  beforeAll(async () => {
    ({ world, base, browser } = await startConsoleWorld('console-orders', { clock, worker: {}, fastLog: true }));
    const people = world.api.app.get(PeopleService);
    const organisations = world.api.app.get(OrganisationsService);
    // The clerk works in the organisation of the world's authority key: the orders it makes are hers.
    await people.invite({ email: clerk, organisation: world.authority.organisation }, 'cli');
    const lyon = await organisations.create({ name: `Parquet de Lyon ${unique}`, role: 'authority' }, 'cli');
    await people.invite({ email: newcomer, organisation: lyon.id }, 'cli');
    for (const name of ['quick', 'slow', 'other'] as const) {
      const id = await world.api.platform(name, { slaHours: 1 });
      platforms[name] = { id, key: (await world.api.client('platform', id)).apiKey, name: `Test platform ${id}` };
    }

    late = await order({ courtReference: `TJ-LYON-${unique}-A`, court: '=HYPERLINK("http://x")' }, [platforms.quick.id, platforms.slow.id]);
    await ack(platforms.quick, (await pull(platforms.quick, late.id)).id);
    await pull(platforms.slow, late.id);
    // Two hours on: slow's hour has passed without its answer; quick answered in time.
    clock.offsetMs = 2 * HOUR;
    fresh = await order({ courtReference: `TJ-PARIS-${unique}-B` }, [platforms.other.id]);
    freshDirective = (await pull(platforms.other, fresh.id)).id;
    untouched = await order({ courtReference: `TJ-PARIS-${unique}-C` }, [platforms.quick.id]);
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  describe('the API', () => {
    it('says which platforms are late, filters orders by lateness in SQL and counts them, with the keyset still paging', async () => {
      const view = (await get(`/v1/orders/${late.id}`)).body;
      const byId = Object.fromEntries(view.platforms.map((p: { platform: string }) => [p.platform, p]));
      expect(byId[platforms.slow.id]).toMatchObject({ status: 'delivered', overdue: true, slaMet: false });
      expect(byId[platforms.quick.id]).toMatchObject({ status: 'enforced', overdue: false, slaMet: true });

      const lateOnes = await get('/v1/orders?late=true');
      expect(lateOnes.status).toBe(200);
      expect(lateOnes.body.items.map((o: { id: string }) => o.id)).toEqual([late.id]);
      const others = await get('/v1/orders?late=false');
      expect(others.body.items.map((o: { id: string }) => o.id)).toEqual([untouched.id, fresh.id]);
      // One a page: the cursor goes on to the next, and stops after the last.
      const first = await get('/v1/orders?late=false&limit=1');
      expect(first.body.items.map((o: { id: string }) => o.id)).toEqual([untouched.id]);
      const second = await get(`/v1/orders?late=false&limit=1&after=${first.body.nextCursor}`);
      expect(second.body.items.map((o: { id: string }) => o.id)).toEqual([fresh.id]);
      expect(second.body.nextCursor).toBeNull();

      expect((await get('/v1/orders/late')).body).toEqual({ orders: 1, platforms: 1 });
      // Another authority sees none of it.
      const stranger = (await world.api.client('authority')).apiKey;
      expect((await world.api.request({ method: 'GET', url: '/v1/orders/late', key: stranger })).body).toEqual({ orders: 0, platforms: 0 });
    });

    it('finds orders by the start of their reference whatever the case, and reads % and _ as themselves', async () => {
      const ids = async (q: string) =>
        (await get(`/v1/orders?courtReference=${encodeURIComponent(q)}`)).body.items.map((o: { id: string }) => o.id);
      expect(await ids(`tj-paris-${unique}`)).toEqual([untouched.id, fresh.id]);
      expect(await ids(`tj-lyon-${unique.toUpperCase()}-a`)).toEqual([late.id]);
      expect(await ids(`${unique}`)).toEqual([]); // a prefix, not anywhere inside
      expect(await ids('%')).toEqual([]);
      expect(await ids(`TJ_PARIS-${unique}`)).toEqual([]);
      expect(await ids(`TJ-PARIS-${unique}-_`)).toEqual([]);
      expect(await ids('\\')).toEqual([]);
    });

    it('answers 409 ORDER.DUPLICATE_REFERENCE for a reference the organisation has, registers it when confirmed, and replays the first answer', async () => {
      const body = orderBody(platforms.quick.id, clock.now(), { courtReference: late.courtReference.toLowerCase() });
      const refused = await world.submit(body);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('ORDER.DUPLICATE_REFERENCE');
      // Another organisation may register the same reference.
      const stranger = (await world.api.client('authority')).apiKey;
      expect((await submitOrder(world.api, stranger, body)).status).toBe(201);

      const idem = idempotencyKey();
      const send = (b: unknown) =>
        world.api.request({ method: 'POST', url: '/v1/orders', key: key(), headers: { 'idempotency-key': idem }, body: b });
      expect((await send(body)).status).toBe(409);
      // The refusal did not use up the key: the confirmed request goes through with it, and replays.
      const confirmed = { ...body, duplicateReferenceConfirmed: true };
      const created = await send(confirmed);
      expect(created.status).toBe(201);
      const replayed = await send(confirmed);
      expect(replayed.status).toBe(201);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.id).toBe(created.body.id);
      const [event] = await world.api.dataSource.query(`SELECT data FROM audit_events WHERE type = 'order.created' AND order_id = $1`, [
        created.body.id,
      ]);
      expect(event.data.duplicateReferenceConfirmed).toBe(true);
      // Out of the way of the browser's walk: revoked is still listed, so it is told apart by its id below.
      duplicateOfLate = created.body.id;
    });

    it('exports the filtered orders as CSV, defused against formulas, and audits the export', async () => {
      const res = await get('/v1/orders/export?late=true');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toMatch(/^reference,juridiction,statut,/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(late.courtReference);
      // The court's "=HYPERLINK(…)" reaches the spreadsheet as text.
      expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(lines[1]).toContain(`${platforms.slow.id} : en retard`);
      expect(lines[1]).toMatch(/,1,[0-9a-f-]{36}$/);
      const all = (await get('/v1/orders/export')).text.trimEnd().split('\r\n');
      expect(all).toHaveLength(1 + 4);
      const [audited] = await world.api.dataSource.query(
        `SELECT data FROM audit_events WHERE type = 'order.listed' AND data->>'format' = 'csv' ORDER BY seq LIMIT 1`,
      );
      expect(audited.data).toMatchObject({ format: 'csv', count: 1, filter: { late: true } });
    });

    it('refuses bad filters with 400 and a stable code, and hides the progress of an order from another organisation', async () => {
      for (const url of [
        '/v1/orders?late=maybe',
        `/v1/orders?courtReference=${'x'.repeat(101)}`,
        '/v1/orders?platform=Not%20An%20Id!',
        '/v1/orders/export?limit=5',
        '/v1/orders/export?late=1',
        '/v1/orders/export?status=lost',
      ]) {
        const res = await get(url);
        expect([url, res.status, res.body.code]).toEqual([url, 400, 'VALIDATION.FAILED']);
      }
      const stranger = (await world.api.client('authority')).apiKey;
      const hidden = await world.api.request({ method: 'GET', url: `/v1/orders/${late.id}/progress`, key: stranger });
      expect([hidden.status, hidden.body.code]).toEqual([404, 'ORDER.NOT_FOUND']);
      const progress = await get(`/v1/orders/${late.id}/progress`);
      expect(progress.body).toEqual({ id: late.id, status: 'active', revokedAt: null, platforms: expect.any(Array) });
      expect(Object.keys(progress.body)).not.toContain('court');
    });
  });

  let duplicateOfLate: string;

  describe('in the browser', () => {
    /** Responses ≥ 400 a step expects (the duplicate warning's 409), by path. */
    const expected = new Set<string>();
    let problems: string[] = [];

    async function signedInPage(login: string, width = 1280, height = 900): Promise<Page> {
      const { page } = await signedInContext(browser, base, login, { viewport: { width, height }, acceptDownloads: true, timeout: 15_000 });
      // Watched from here: the way in (the 401 that sends to the provider, its page) is console.e2e-spec's.
      problems = collectProblems(page, (url, status) => expected.has(`${status} ${new URL(url).pathname}`));
      return page;
    }

    async function expectClean(page: Page): Promise<void> {
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      // Nothing of the page's content scrolls sideways at its width (the header is the shell's).
      expect(await page.evaluate(() => document.querySelector('main')!.scrollWidth <= window.innerWidth)).toBe(true);
      expect(problems).toEqual([]);
    }

    const rows = (page: Page) =>
      page.$$eval('[data-testid="orders"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-testid')!.replace('order-', '')));

    it('shows the clerk what to chase: the late count, late platforms first with their deadlines, and the late filter', async () => {
      for (const [width, height, suffix] of [
        [1280, 900, ''],
        [375, 740, '-phone'],
      ] as const) {
        const page = await signedInPage(clerk, width, height);
        await page.waitForSelector('[data-testid="orders"]');
        await page.waitForSelector('[data-testid="late-summary"]');
        expect(await page.locator('[data-testid="late-summary"]').innerText()).toContain('1 ordonnance(s) avec 1 plateforme(s) en retard');
        const row = page.locator(`[data-testid="order-${late.id}"]`);
        // Text content: the DSFR's badges show it in capitals.
        expect(await row.locator('[data-testid="late-count"]').textContent()).toBe('1 plateforme(s) en retard');
        // The late platform first, with its deadline; the one that answered after it.
        const badges = await row.locator('[data-testid="platforms"] li').allTextContents();
        expect(badges[0]).toMatch(new RegExp(`^${platforms.slow.name} : en retard\\s+échéance `));
        expect(badges[1]).toBe(`${platforms.quick.name} : exécutée`);
        expect(await page.locator(`[data-testid="order-${fresh.id}"] [data-testid="late-count"]`).count()).toBe(0);
        // Seen without scrolling sideways, on a phone too: the late platform's badge is within the screen.
        const badge = (await row.locator('[data-testid="platforms"] li').first().boundingBox())!;
        expect(badge.x + badge.width).toBeLessThanOrEqual(width);
        await expectClean(page);
        await expectFrench(page, `orders${suffix}`);
        await screenshot(page, `orders-${suffix ? 'phone' : 'desktop'}`);

        await page.click('[data-testid="show-late"]');
        await page.waitForFunction(() => window.location.hash === '#/orders?late=true');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="orders"] tbody tr').length === 1);
        expect(await rows(page)).toEqual([late.id]);
        expect(await page.locator('#filter-late').inputValue()).toBe('true');
        await expectClean(page);
        await expectFrench(page, `orders, late${suffix}`);
        await screenshot(page, `orders-late-${suffix ? 'phone' : 'desktop'}`);
        await page.context().close();
      }
    });

    it('finds an order by a lowercase prefix of its reference (a % matches nothing) and by a platform chosen by its name', async () => {
      const page = await signedInPage(clerk);
      await page.waitForSelector('[data-testid="orders"]');
      await fill(page, '#filter-ref', `tj-paris-${unique}`);
      await page.click('form[aria-label="Filtrer"] button[type="submit"]');
      await page.waitForFunction(() => window.location.hash.includes('courtReference='));
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="orders"] tbody tr').length === 2);
      expect(await rows(page)).toEqual([untouched.id, fresh.id]);

      await fill(page, '#filter-ref', '%');
      await page.click('form[aria-label="Filtrer"] button[type="submit"]');
      await page.waitForSelector('[data-testid="orders-empty"]');
      expect(await page.locator('[data-testid="orders-empty"]').innerText()).toContain('Aucune ordonnance ne correspond.');
      await expectClean(page);

      // The platform by its name: the select lists names, and sends the id.
      await fill(page, '#filter-ref', '');
      await page.waitForFunction((id) => !!document.querySelector(`#filter-platform option[value="${id}"]`), platforms.other.id);
      await page.locator('#filter-platform').selectOption({ label: platforms.other.name });
      await page.click('form[aria-label="Filtrer"] button[type="submit"]');
      await page.waitForFunction((id) => window.location.hash.includes(`platform=${id}`), platforms.other.id);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="orders"] tbody tr').length === 1);
      expect(await rows(page)).toEqual([fresh.id]);
      await expectClean(page);
      await page.context().close();
    });

    it('warns when the reference is already registered, and registers the order once the clerk confirms', async () => {
      const page = await signedInPage(clerk);
      await page.goto(`${base}/console/#/orders/new`);
      await page.waitForSelector('[data-testid="new-order"]');
      await page.waitForFunction((p) => !!document.querySelector(`#f-platform-0 option[value="${p}"]`), platforms.other.id);
      const reference = fresh.courtReference.toLowerCase();
      await fill(page, '#f-courtReference', reference);
      await fill(page, '#f-court', 'Tribunal judiciaire de Paris');
      await fill(page, '#f-decisionDate', new Date(clock.now().getTime() - 3 * 86_400_000).toISOString().slice(0, 10));
      await page.waitForFunction(() => document.querySelectorAll('#f-offence option').length > 1);
      await fill(page, '#f-offence', 'cyberharassment');
      await fill(page, '#f-email-0', 'quelqu.un@example.fr');
      await fill(page, '#f-platform-0', platforms.other.id);
      await fill(page, '#f-account-0-0', '7012345678');
      expected.add('409 /v1/orders');
      await page.click('[data-testid="new-order"] button[type="submit"]');
      await page.waitForSelector('[data-testid="duplicate-reference"]');
      expect(await page.locator('[data-testid="duplicate-reference"]').innerText()).toContain('Cette référence est déjà enregistrée');
      await expectClean(page);
      await page.click('[data-testid="confirm-duplicate"]');
      await page.waitForFunction(() => /#\/orders\/[0-9a-f-]{36}$/.test(window.location.hash));
      const id = /#\/orders\/([0-9a-f-]{36})/.exec(page.url())![1]!;
      const same = await world.api.dataSource.query(`SELECT id FROM ban_orders WHERE lower(court_reference) = lower($1) ORDER BY id`, [
        reference,
      ]);
      expect(same.map((o: { id: string }) => o.id)).toEqual([fresh.id, id]);
      expected.delete('409 /v1/orders');
      // Out of the lists the next steps count.
      await world.api.request({
        method: 'POST',
        url: `/v1/orders/${id}/revoke`,
        key: key(),
        body: { reason: 'saisie en double', decisionReference: 'X' },
      });
      await world.api.request({
        method: 'POST',
        url: `/v1/orders/${duplicateOfLate}/revoke`,
        key: key(),
        body: { reason: 'saisie en double', decisionReference: 'X' },
      });
      await page.context().close();
    });

    it('downloads the filtered orders as CSV', async () => {
      const page = await signedInPage(clerk);
      await page.goto(`${base}/console/#/orders?late=true`);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="orders"] tbody tr').length === 1);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export"]')]);
      const lines = readFileSync((await download.path())!, 'utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]!.startsWith(`${late.courtReference},`)).toBe(true);
      expect(download.suggestedFilename()).toBe('ordonnances.csv');
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('prints a certificate of the order: its terms, each platform’s directive and answer, the events with their numbers and checkpoint', async () => {
      // A checkpoint that covers the order's events so far.
      const [{ last }] = await world.api.dataSource.query(`SELECT max(seq)::int AS last FROM audit_events WHERE order_id = $1`, [late.id]);
      await waitFor(async () => (await get('/v1/audit/checkpoint')).body.size >= last, 'a checkpoint with the order’s events');
      for (const [width, height, suffix] of [
        [1280, 900, ''],
        [375, 740, '-phone'],
      ] as const) {
        const page = await signedInPage(clerk, width, height);
        await page.goto(`${base}/console/#/orders/${late.id}/certificate`);
        await page.waitForSelector('[data-testid="certificate-checkpoint"]');
        await page.waitForSelector('[data-testid="certificate-events"] tbody tr');
        expect(await page.locator('h1').innerText()).toBe(`Attestation d’exécution — ordonnance ${late.courtReference}`);
        const events = await page.$$eval('[data-testid="certificate-events"] tbody tr', (trs) =>
          trs.map((tr) => ({
            seq: Number(tr.getAttribute('data-seq')),
            cells: Array.from(tr.querySelectorAll('td'), (td) => td.textContent),
          })),
        );
        const logged: { seq: number; type: string }[] = await world.api.dataSource.query(
          `SELECT seq::int, type FROM audit_events WHERE order_id = $1 AND type NOT IN ('order.read', 'order.listed') ORDER BY seq`,
          [late.id],
        );
        expect(events.map((e) => e.seq)).toEqual(logged.map((e) => e.seq));
        const size = (await get('/v1/audit/checkpoint')).body.size;
        for (const e of events) {
          expect(e.cells[0]).toBe(String(e.seq));
          expect(e.cells[3]).toEqual(
            e.seq <= size ? expect.stringMatching(/^inclus \(taille \d+\)$/) : 'pas encore dans un point de contrôle',
          );
        }
        expect(events.some((e) => e.cells[3]!.startsWith('inclus'))).toBe(true);
        // The offence by its label and articles (GET /v1/offences), not its code.
        await page.waitForFunction(() =>
          Array.from(document.querySelectorAll('.ost-certificate__terms div')).some(
            (d) =>
              d.querySelector('dt')?.textContent === 'Infraction' && /Code pénal|art\./i.test(d.querySelector('dd')?.textContent ?? ''),
          ),
        );
        const directives = await page.locator('[data-testid="certificate-directives"] tbody tr').allInnerTexts();
        expect(directives.find((r) => r.startsWith(platforms.quick.name))).toMatch(/suspension.*exécutée.*délai respecté/s);
        expect(directives.find((r) => r.startsWith(platforms.slow.name))).toMatch(/suspension.*en retard/s);
        await expectClean(page);
        await expectFrench(page, `certificate${suffix}`);
        await screenshot(page, `certificate-${suffix ? 'phone' : 'desktop'}`);
        if (!suffix) {
          // On paper: the document alone, without the console's header, footer or buttons.
          await page.emulateMedia({ media: 'print' });
          for (const selector of ['header.fr-header', 'footer.fr-footer', '[data-testid="print"]']) {
            expect([selector, await page.locator(selector).isVisible()]).toEqual([selector, false]);
          }
          expect(await page.locator('[data-testid="certificate-events"]').isVisible()).toBe(true);
          await screenshot(page, 'certificate-print');
        }
        await page.context().close();
      }
    });

    it('updates the order page by itself when the platform confirms, and stops asking once every platform is final', async () => {
      const page = await signedInPage(clerk);
      await page.goto(`${base}/console/#/orders/${fresh.id}`);
      const card = `[data-testid="platform-${platforms.other.id}"]`;
      await page.waitForSelector(card);
      expect((await page.locator(card).innerText()).toLowerCase()).toContain('transmise');
      const progress: string[] = [];
      page.on('request', (r) => r.url().endsWith(`/v1/orders/${fresh.id}/progress`) && progress.push(r.url()));
      await ack(platforms.other, freshDirective);
      await page.waitForFunction((c) => document.querySelector(c)?.textContent?.includes('délai respecté'), card, { timeout: 15_000 });
      expect((await page.locator(card).innerText()).toLowerCase()).toContain('exécutée');
      expect(progress.length).toBeGreaterThan(0);
      // Every platform final: no more asking. The page asks every 3 s (POLL_MS in pages/order.tsx),
      // so a page still asking would ask within this wait.
      const asked = progress.length;
      await page.waitForTimeout(3000 + 1000);
      expect(progress.length).toBe(asked);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it('certifies a revocation too: its reason and decision, and each platform’s lift beside its suspension', async () => {
      const revoked = await world.api.request({
        method: 'POST',
        url: `/v1/orders/${fresh.id}/revoke`,
        key: world.authority.apiKey,
        body: { reason: 'Relèvement de la peine', decisionReference: `TJ-PARIS-REL-${unique}` },
      });
      expect(revoked.status).toBe(200);
      const lift = await waitFor(async () => {
        const res = await world.api.request({ method: 'GET', url: '/v1/directives', key: platforms.other.key });
        return res.body.items.find((d: { orderId: string; type: string }) => d.orderId === fresh.id && d.type === 'lift');
      }, 'the lift directive to be pullable');
      await ack(platforms.other, lift.id);
      const page = await signedInPage(clerk);
      await page.goto(`${base}/console/#/orders/${fresh.id}/certificate`);
      await page.waitForSelector('[data-testid="revocation"]');
      expect(await page.locator('h1').innerText()).toBe(`Attestation d’exécution et de révocation — ordonnance ${fresh.courtReference}`);
      expect(await page.locator('[data-testid="revocation"]').innerText()).toContain(
        `Relèvement de la peine (décision TJ-PARIS-REL-${unique})`,
      );
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="certificate-directives"] tbody tr').length >= 2,
        undefined,
        { timeout: 15_000 },
      );
      const rows = await page.locator('[data-testid="certificate-directives"] tbody tr').allInnerTexts();
      expect(rows.filter((r) => r.startsWith(platforms.other.name)).map((r) => r.split('\t')[1])).toEqual(['suspension', 'levée']);
      const types = await page.$$eval('[data-testid="certificate-events"] tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      expect(types.some((t) => t.includes('Ordonnance révoquée'))).toBe(true);
      await expectClean(page);
      await expectFrench(page, 'certificate-revoked');
      await page.context().close();
    });

    it('offers a new order on an empty list', async () => {
      const page = await signedInPage(newcomer);
      await page.waitForSelector('[data-testid="orders-empty"]');
      const action = page.locator('[data-testid="orders-empty"] a[href="#/orders/new"]');
      expect(await action.innerText()).toBe('Nouvelle ordonnance');
      await expectClean(page);
      await action.click();
      await page.waitForSelector('[data-testid="new-order"]');
      await page.context().close();
    });
  });
});
