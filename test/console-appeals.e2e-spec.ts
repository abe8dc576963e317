/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { PeopleService } from '@ostracon/auth';
import type { Browser, Page } from 'playwright-core';
import { isoDate, orderBody } from './support/builders';
import { collectProblems, expectFrench, fill, screenshot, seriousAccessibilityViolations, signedInContext } from './support/chromium';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';

/**
 * The clerk records an appeal, its outcome and a relèvement on an order's page (issue 30 §4), in
 * Chromium, on a desktop and on a phone: the forms, the status badges, the notices and the
 * timeline, and the orders list filtered by the new statuses.
 */
jest.setTimeout(180_000);

const DAY = 86_400_000;

describe('console: appeal, its outcome and relèvement on the order page', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  let platform: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `greffe.${unique}@parquet.example.fr`;
  /** Responses ≥ 400 a step provokes on purpose, as "status path". */
  const expected = new Set<string>();
  let problems: string[] = [];

  beforeAll(async () => {
    ({ world, base, browser } = await startConsoleWorld('console-appeals', { worker: {} }));
    await world.api.app.get(PeopleService).invite({ email: clerk, organisation: world.authority.organisation }, 'cli');
    platform = await world.api.platform('appeals', { slaHours: 48 });
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function order(reference: string): Promise<string> {
    const res = await world.submit({
      ...orderBody(platform, new Date(), { courtReference: reference }),
      platforms: [{ platform, accounts: [{ accountId: `acct-${reference}` }] }],
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function signedInPage(width: number, height: number): Promise<Page> {
    const { page } = await signedInContext(browser, base, clerk, {
      timezoneId: 'Europe/Paris',
      viewport: { width, height },
      timeout: 15_000,
    });
    problems = collectProblems(page, (url, status) => expected.has(`${status} ${new URL(url).pathname}`));
    return page;
  }

  async function expectClean(page: Page, state: string): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.querySelector('main')!.scrollWidth <= window.innerWidth)).toBe(true);
    expect(problems).toEqual([]);
    await expectFrench(page, state);
  }

  const badge = (page: Page) => page.locator('main h1 + .fr-badge').textContent();
  const timeline = (page: Page) => page.locator('.ost-timeline').first().innerText();
  /** A Paris wall-clock time "YYYY-MM-DDTHH:mm" for a datetime-local input, `days` from now. */
  const local = (days: number) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' })
      .format(new Date(Date.now() + days * DAY))
      .replace(' ', 'T');

  it('on a desktop: appeal lodged → suspended; confirmed with new dates (a date past the cap refused) → in force; relèvement → relieved', async () => {
    const reference = `TJ-APPEL-${unique}-A`;
    const id = await order(reference);
    const page = await signedInPage(1280, 900);
    await page.goto(`${base}/console/#/orders/${id}`);
    await page.waitForSelector('[data-testid="open-appeal"]');
    expect(await badge(page)).toBe('en cours');

    await page.click('[data-testid="open-appeal"]');
    await page.waitForSelector('[data-testid="appeal-form"]');
    await fill(page, '#appeal-lodged-on', isoDate(new Date()));
    await fill(page, '#appeal-reference', `CA-PARIS-${unique}`);
    await expectClean(page, 'appeal form');
    await screenshot(page, 'order-appeal-form-desktop');
    await page.click('[data-testid="appeal-confirm"]');
    await page.waitForSelector('[data-testid="appeal-pending"]');
    expect(await badge(page)).toBe('suspendue (appel)');
    expect(await page.locator('[data-testid="appeal-pending"]').innerText()).toContain(`référence CA-PARIS-${unique}`);
    await page.waitForFunction(() => document.querySelector('.ost-timeline')?.textContent?.includes('Appel formé : exécution suspendue'));
    // While suspended: its outcome and a revocation may be recorded, neither another appeal nor a relèvement.
    expect(await page.locator('[data-testid="open-appeal"]').count()).toBe(0);
    expect(await page.locator('[data-testid="open-relief"]').count()).toBe(0);
    await expectClean(page, 'order suspended');
    await screenshot(page, 'order-suspended-desktop');

    await page.click('[data-testid="open-outcome"]');
    await page.waitForSelector('[data-testid="outcome-form"]');
    await page.click('label[for="outcome-confirmed"]');
    await fill(page, '#outcome-decided-on', isoDate(new Date()));
    await fill(page, '#outcome-reference', `CA-PARIS-ARRET-${unique}`);
    await page.click('label[for="outcome-new-dates"]');
    await fill(page, '#outcome-starts-at', local(0));
    await fill(page, '#outcome-ends-at', local(240));
    expected.add(`422 /v1/orders/${id}/appeal/outcome`);
    await page.click('[data-testid="outcome-confirm"]');
    await page.waitForSelector('[data-testid="outcome-form"] .fr-error-text');
    expect(await badge(page)).toBe('suspendue (appel)');
    await expectClean(page, 'appeal outcome refused');
    await screenshot(page, 'order-appeal-outcome-refused-desktop');
    await fill(page, '#outcome-ends-at', local(60));
    await page.click('[data-testid="outcome-confirm"]');
    await page.waitForSelector('[data-testid="appeal-confirmed"]');
    expect(await badge(page)).toBe('en cours');
    expect(await page.locator('[data-testid="appeal-confirmed"]').innerText()).toContain(`arrêt CA-PARIS-ARRET-${unique}`);
    await page.waitForFunction(() => document.querySelector('.ost-timeline')?.textContent?.includes('Peine confirmée en appel'));
    await expectClean(page, 'appeal confirmed');
    await screenshot(page, 'order-appeal-confirmed-desktop');

    await page.click('[data-testid="open-relief"]');
    await page.waitForSelector('[data-testid="relief-form"]');
    await fill(page, '#relief-decided-on', isoDate(new Date()));
    await fill(page, '#relief-reference', `TJ-RELEVEMENT-${unique}`);
    await page.click('[data-testid="relief-confirm"]');
    await page.waitForSelector('[data-testid="relieved"]');
    expect(await badge(page)).toBe('relevée');
    expect(await timeline(page)).toContain('Relèvement : ordonnance terminée avant son terme');
    expect(await page.locator('[data-testid="open-relief"], [data-testid="revoke"]').count()).toBe(0);
    await expectClean(page, 'order relieved');
    await screenshot(page, 'order-relieved-desktop');
    // Its certificate says it was relieved, not revoked.
    await page.goto(`${base}/console/#/orders/${id}/certificate`);
    expect(await page.locator('[data-testid="certificate-title"]').innerText()).toContain('Attestation d’exécution et de relèvement');
    await expectClean(page, 'certificate of a relieved order');
    await screenshot(page, 'certificate-relieved-desktop');

    const view = (await world.api.request({ method: 'GET', url: `/v1/orders/${id}`, key: world.authority.apiKey })).body;
    expect(view).toMatchObject({
      status: 'relieved',
      appeal: { reference: `CA-PARIS-${unique}`, outcome: 'confirmed' },
      relief: { decisionReference: `TJ-RELEVEMENT-${unique}` },
    });
    await page.context().close();
  });

  it('on a phone: the appeal quashed → infirmée; the list filtered by the new statuses', async () => {
    const reference = `TJ-APPEL-${unique}-B`;
    const id = await order(reference);
    const appeal = await world.api.request({
      method: 'POST',
      url: `/v1/orders/${id}/appeal`,
      key: world.authority.apiKey,
      body: { lodgedOn: isoDate(new Date()), reference: `CA-LYON-${unique}` },
    });
    expect(appeal.status).toBe(200);
    const page = await signedInPage(375, 740);
    await page.goto(`${base}/console/#/orders/${id}`);
    await page.waitForSelector('[data-testid="appeal-pending"]');
    await expectClean(page, 'order suspended, phone');
    await screenshot(page, 'order-suspended-phone');

    await page.goto(`${base}/console/#/orders?status=suspended`);
    await page.waitForFunction(
      (ref) => Array.from(document.querySelectorAll('[data-testid="orders"] tbody tr')).some((tr) => tr.textContent?.includes(ref)),
      reference,
    );
    expect(await page.locator('#filter-status').inputValue()).toBe('suspended');
    expect(await page.locator('[data-testid="orders"] tbody tr').allTextContents()).toEqual([expect.stringContaining('suspendue (appel)')]);
    await expectClean(page, 'orders suspended, phone');

    await page.goto(`${base}/console/#/orders/${id}`);
    await page.click('[data-testid="open-outcome"]');
    await page.click('label[for="outcome-quashed"]');
    expect(await page.locator('#outcome-new-dates').count()).toBe(0);
    await fill(page, '#outcome-decided-on', isoDate(new Date()));
    await fill(page, '#outcome-reference', `CA-LYON-ARRET-${unique}`);
    await expectClean(page, 'appeal outcome form, phone');
    await screenshot(page, 'order-appeal-outcome-phone');
    await page.click('[data-testid="outcome-confirm"]');
    await page.waitForSelector('[data-testid="appeal-quashed"]');
    expect(await badge(page)).toBe('infirmée');
    expect(await page.locator('#transitions-title, [data-testid="revoke"]').count()).toBe(0);
    await page.waitForFunction(() => document.querySelector('.ost-timeline')?.textContent?.includes('Peine infirmée en appel'));
    await expectClean(page, 'order quashed, phone');
    await screenshot(page, 'order-quashed-phone');
    // Its certificate says the sentence was quashed, not that the order was revoked.
    await page.goto(`${base}/console/#/orders/${id}/certificate`);
    expect(await page.locator('[data-testid="certificate-title"]').innerText()).toContain('peine infirmée en appel');
    await expectClean(page, 'certificate of a quashed order, phone');
    await screenshot(page, 'certificate-quashed-phone');

    await page.goto(`${base}/console/#/orders?status=quashed`);
    await page.waitForFunction(
      (ref) => Array.from(document.querySelectorAll('[data-testid="orders"] tbody tr')).some((tr) => tr.textContent?.includes(ref)),
      reference,
    );
    expect(await page.locator('[data-testid="orders"] tbody tr').count()).toBe(1);
    await expectClean(page, 'orders quashed, phone');
    await page.context().close();
  });
});
