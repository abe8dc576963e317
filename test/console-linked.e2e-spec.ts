/// <reference lib="dom" />
import { createHash, randomBytes } from 'node:crypto';
import { PeopleService } from '@ostracon/auth';
import type { Browser, Page } from 'playwright-core';
import { orderBody } from './support/builders';
import { collectProblems, expectFrench, screenshot, seriousAccessibilityViolations, signedInContext } from './support/chromium';
import { waitFor } from './support/isolated';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';

/**
 * Linked accounts in the console (issue 30 §2, decision 0026): the clerk sees the accounts a
 * platform reported on her order, accepts one and rejects another after a confirmation each, and
 * follows the accepted account's suspend until the platform confirms it.
 */
jest.setTimeout(180_000);

describe('console: the person’s other accounts on the order page', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `greffe.${unique}@parquet.example.fr`;
  let platform: { id: string; key: string };
  let orderId: string;
  let problems: string[] = [];

  beforeAll(async () => {
    ({ world, base, browser } = await startConsoleWorld('console-linked', { worker: {} }));
    await world.api.app.get(PeopleService).invite({ email: clerk, organisation: world.authority.organisation }, 'cli');
    const id = await world.api.platform('pull');
    platform = { id, key: (await world.api.client('platform', id)).apiKey };
    const res = await world.submit(
      orderBody(id, new Date(), { platforms: [{ platform: id, accounts: [{ accountId: 'compte-initial' }] }] }),
    );
    expect(res.status).toBe(201);
    orderId = res.body.id;
    const hash = createHash('sha256').update(`ostracon:v1:email:autre.${unique}@example.org`, 'utf8').digest('hex');
    for (const body of [{ accountId: 'autre-compte-1', signals: [{ type: 'email', hash }] }, { accountId: 'autre-compte-2' }]) {
      const r = await world.api.request({ method: 'POST', url: `/v1/orders/${orderId}/linked-accounts`, key: platform.key, body });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function signedInPage(width: number, height: number): Promise<Page> {
    const { page } = await signedInContext(browser, base, clerk, { viewport: { width, height }, timeout: 15_000 });
    problems = collectProblems(page);
    await page.goto(`${base}/console/#/orders/${orderId}`);
    await page.waitForSelector('[data-testid="linked-accounts-table"]');
    return page;
  }
  async function expectClean(page: Page, state: string): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.querySelector('main')!.scrollWidth <= window.innerWidth)).toBe(true);
    await expectFrench(page, state);
    expect(problems).toEqual([]);
  }
  const row = (page: Page, account: string) => page.locator('[data-testid="linked-accounts-table"] tbody tr', { hasText: account });

  it('accepts one account and rejects another, each after a confirmation, and shows the suspend as it goes', async () => {
    const page = await signedInPage(1280, 900);
    expect(await row(page, 'autre-compte-1').locator('td').nth(2).textContent()).toBe('adresse électronique');
    expect(await row(page, 'autre-compte-1').locator('.fr-badge').textContent()).toBe('À décider');
    await expectClean(page, 'linked accounts, to decide');
    await screenshot(page, 'linked-accounts-desktop');

    await row(page, 'autre-compte-1').locator('[data-testid="linked-accept"]').click();
    const modal = page.locator('dialog[open] [data-testid="confirm"]');
    await modal.waitFor();
    expect(await page.locator('dialog[open]').innerText()).toContain('autre-compte-1');
    await expectClean(page, 'linked accounts, confirm acceptance');
    await screenshot(page, 'linked-accounts-confirm', { fullPage: false });
    await modal.click();
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="linked-accounts-table"] tbody tr')).some(
        (tr) => tr.textContent?.includes('autre-compte-1') && tr.textContent.includes('Accepté'),
      ),
    );
    expect(await row(page, 'autre-compte-1').locator('[data-testid="linked-directive-suspend"]').textContent()).toMatch(/^Suspension : /);

    await row(page, 'autre-compte-2').locator('[data-testid="linked-reject"]').click();
    await page.locator('dialog[open] [data-testid="confirm"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="linked-accounts-table"]')?.textContent?.includes('Refusé'));
    // Rejected: its account id is gone at once.
    expect(await row(page, 'effacé').locator('.fr-badge').textContent()).toBe('Refusé');

    // The platform reads its suspend for the linked account (pull) and confirms it.
    const directive = await waitFor(async () => {
      const res = await world.api.request({ method: 'GET', url: '/v1/directives', key: platform.key });
      return res.body.items.find((d: { accounts: { accountId: string }[] }) => d.accounts[0]?.accountId === 'autre-compte-1');
    }, 'the linked suspend to be pullable');
    const ack = await world.api.request({
      method: 'POST',
      url: `/v1/directives/${directive.id}/ack`,
      key: platform.key,
      body: { outcome: 'enforced' },
    });
    expect(ack.status).toBe(200);
    await page.reload();
    await page.waitForSelector('[data-testid="linked-accounts-table"]');
    expect(await row(page, 'autre-compte-1').locator('[data-testid="linked-directive-suspend"]').textContent()).toBe(
      'Suspension : confirmée',
    );
    expect(await row(page, 'autre-compte-1').locator('[data-testid="linked-accept"]').count()).toBe(0);
    await expectClean(page, 'linked accounts, decided');
    await screenshot(page, 'linked-accounts-decided-desktop');
    await page.context().close();
  });

  it('reads well on a phone', async () => {
    const page = await signedInPage(375, 740);
    expect(await row(page, 'autre-compte-1').locator('.fr-badge').textContent()).toBe('Accepté');
    await expectClean(page, 'linked accounts, phone');
    await screenshot(page, 'linked-accounts-phone');
    await page.context().close();
  });
});
