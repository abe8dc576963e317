/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import { ScreeningIndexService } from '@ostracon/screening';
import type { Browser, Page } from 'playwright-core';
import { RAW, orderBody } from './support/builders';
import { collectProblems, expectFrench, screenshot, seriousAccessibilityViolations, signedInContext } from './support/chromium';
import { startConsoleWorld } from './support/console-world';
import { waitFor } from './support/isolated';
import type { World } from './support/world';

/**
 * Attempts in the console (issue 30): the clerk sees an unread badge on the orders list, opens the
 * inbox, reads each attempt with the platform's answer (the account only when confirmed), and the
 * badge clears; she asks to be told by e-mail; the auditor reads the review figures.
 */
jest.setTimeout(180_000);

describe('console: attempts', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `greffe.${unique}@parquet.example.fr`;
  const inspector = `controle.${unique}@cnil.example.fr`;
  const account = `acct-confirme-${unique}`;
  let platform: string;
  let order: { id: string; courtReference: string };
  let confirmedMatch: string;
  let otherMatch: string;

  beforeAll(async () => {
    ({ world, base, browser } = await startConsoleWorld('console-attempts'));
    const people = world.api.app.get(PeopleService);
    await people.invite({ email: clerk, organisation: world.authority.organisation }, 'cli');
    const cnil = await world.api.app.get(OrganisationsService).create({ name: `CNIL ${unique}`, role: 'auditor' }, 'cli');
    await people.invite({ email: inspector, organisation: cnil.id }, 'cli');
    platform = await world.api.platform('tentatives');
    const key = (await world.api.client('platform', platform)).apiKey;
    const created = await world.submit(orderBody(platform, new Date()));
    expect(created.status).toBe(201);
    order = created.body;
    await waitFor(() => world.api.app.get(ScreeningIndexService).current?.has(order.id), 'the order in the index', 10_000);
    const check = async (signals: unknown[]) =>
      (await world.api.request({ method: 'POST', url: '/v1/signup-checks', key, body: { signals } })).body.matchId as string;
    confirmedMatch = await check([{ type: 'email', value: RAW.email }]);
    otherMatch = await check([
      { type: 'name_dob', value: { givenName: RAW.givenName, familyName: RAW.familyName, birthDate: RAW.birthDate } },
    ]);
    const answer = (matchId: string, body: unknown) =>
      world.api.request({ method: 'POST', url: `/v1/signup-matches/${matchId}/review`, key, body });
    expect((await answer(confirmedMatch, { outcome: 'confirmed', accountId: account })).status).toBe(200);
    expect((await answer(otherMatch, { outcome: 'not_same_person' })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function signedInPage(login: string): Promise<{ page: Page; problems: string[] }> {
    const { page } = await signedInContext(browser, base, login, { viewport: { width: 1280, height: 900 } });
    // From here on: the signed-out check (401) and the provider's login page are not the console's.
    return { page, problems: collectProblems(page) };
  }

  /** Accessible and French at 1280 then 375 px, with screenshots; back to 1280. */
  async function check(page: Page, state: string): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    for (const [width, height, suffix] of [
      [1280, 900, 'desktop'],
      [375, 740, 'phone'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await expectFrench(page, `${state} (${width} px)`);
      await screenshot(page, `${state}-${suffix}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('shows the clerk an unread badge, the inbox with the answers, clears the badge once read, and saves her mail setting', async () => {
    const { page, problems } = await signedInPage(clerk);
    await page.waitForSelector(`[data-testid="order-${order.id}"] [data-testid="unread-attempts"]`);
    expect(await page.locator(`[data-testid="order-${order.id}"] [data-testid="unread-attempts"]`).textContent()).toBe(
      '2 tentative(s) non lue(s)',
    );
    await check(page, 'attempts-orders-badge');

    await page.click('a.fr-nav__link[href="#/attempts"]');
    await page.waitForSelector('[data-testid="attempts"]');
    const row = (matchId: string) => page.locator(`[data-testid="attempt-${matchId}"]`);
    expect(await page.locator('[data-testid="attempts"] tbody tr').count()).toBe(2);
    expect(await row(confirmedMatch).getAttribute('data-read')).toBe('false');
    expect(await row(confirmedMatch).textContent()).toContain('même personne');
    expect(await row(otherMatch).textContent()).toContain('autre personne');
    expect(await row(otherMatch).textContent()).toContain('nom et date de naissance');
    // Nothing of the account before it is opened.
    expect(await page.locator('main').textContent()).not.toContain(account);
    await check(page, 'attempts-inbox');

    await row(confirmedMatch).locator('[data-testid="open-attempt"]').click();
    await page.waitForSelector(`[data-testid="attempt-detail-${confirmedMatch}"]`);
    expect(await page.locator('[data-testid="attempt-account"]').textContent()).toBe(account);
    await row(otherMatch).locator('[data-testid="open-attempt"]').click();
    const other = await page.waitForSelector(`[data-testid="attempt-detail-${otherMatch}"]`);
    expect(await other.textContent()).toContain('Rien n’est communiqué sur le compte');
    expect(await other.textContent()).not.toContain('acct-');
    await check(page, 'attempts-opened');

    // The e-mail setting: off, then on, recorded for her.
    expect(await page.locator('[data-testid="attempt-mails"]').isChecked()).toBe(false);
    await page.click('label[for="attempt-mails"]');
    await page.waitForSelector('[data-testid="attempt-mails-saved"]');
    expect(await page.locator('[data-testid="attempt-mails"]').isChecked()).toBe(true);
    const [person] = await world.api.dataSource.query(`SELECT attempt_mails_since FROM people WHERE email = $1`, [clerk]);
    expect(person.attempt_mails_since).toEqual(expect.any(Date));
    await check(page, 'attempts-mails');

    // Read: the badge is gone from the orders list; the order page lists both, read.
    await page.click('a.fr-nav__link[href="#/orders"]');
    await page.waitForSelector(`[data-testid="order-${order.id}"]`);
    expect(await page.locator(`[data-testid="order-${order.id}"] [data-testid="unread-attempts"]`).count()).toBe(0);
    await page.goto(`${base}/console/#/orders/${order.id}`);
    await page.waitForSelector('[data-testid="order-attempts-table"]');
    expect(await page.locator('[data-testid="order-attempts-table"] tbody tr[data-read="true"]').count()).toBe(2);
    await check(page, 'attempts-order');
    expect(problems).toEqual([]);
  });

  it('shows the auditor the platforms’ answers per signal types, in figures that sum', async () => {
    const { page, problems } = await signedInPage(inspector);
    await page.goto(`${base}/console/#/reports/compliance`);
    await page.waitForSelector('[data-testid="review-figures"]');
    const cells = async (signals: string) =>
      (
        await page.locator(`[data-testid="review-figures"] tr[data-platform="${platform}"][data-signals="${signals}"] > *`).allInnerTexts()
      ).map((c) => c.trim());
    expect(await cells('name_dob')).toEqual([`Test platform ${platform}`, 'nom et date de naissance', 'examen', '1', '0', '1', '0', '0']);
    expect(await cells('email')).toEqual([`Test platform ${platform}`, 'adresse électronique', 'blocage', '1', '1', '0', '0', '0']);
    await page.locator('[data-testid="review-figures"]').scrollIntoViewIfNeeded();
    await check(page, 'attempts-review-figures');
    expect(problems).toEqual([]);
  });
});
