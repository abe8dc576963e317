/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { ClientsService, OrganisationsService, PeopleService } from '@ostracon/auth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { orderBody } from './support/builders';
import {
  collectProblems,
  FIXTURE_NAMES,
  englishWords,
  expectFrench,
  fill,
  noHorizontalOverflow,
  screenshot,
  seriousAccessibilityViolations,
  signedInContext,
} from './support/chromium';
import { waitFor } from './support/isolated';
import { submitOrder } from './support/test-app';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';

/**
 * The console's shell in Chromium (issue 28, points 3 and 10): the DSFR header and its menu on a
 * phone, no page wider than a 320 px screen, the person named in the header, the DSFR modal
 * instead of window.confirm, a copy button for what is shown once, the loading state, the
 * favicon, French labels, and datetime-local read in Paris whatever the browser's zone.
 */
jest.setTimeout(180_000);

const PHONES = [320, 375];
/** The fixtures' names ("Test platform p-…", the organisation "test authority" of a test key) are data, not the console's words. */
const DATA = FIXTURE_NAMES;

describe('the console’s shell in a browser', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `clerk.${unique}@parquet.example.fr`;
  const inspector = `inspector.${unique}@cnil.example.fr`;
  const operator = `operator.${unique}@ostracon.example.fr`;
  let platform: string;
  let orderId: string;
  let parquetId: string;

  beforeAll(async () => {
    // The log's tree and checkpoints made quickly: the verification page finds one to check.
    ({ world, base, browser } = await startConsoleWorld('console_shell', { worker: {}, fastLog: true }));
    const organisations = world.api.app.get(OrganisationsService);
    const people = world.api.app.get(PeopleService);
    // A long name, as real ones are: it must wrap in the header, not widen the page.
    const parquet = await organisations.create(
      { name: `Parquet près le tribunal judiciaire de Paris ${unique}`, role: 'authority' },
      'cli',
    );
    parquetId = parquet.id;
    const cnil = await organisations.create({ name: `CNIL ${unique}`, role: 'auditor' }, 'cli');
    const operators = await organisations.create({ name: `Exploitation ${unique}`, role: 'admin' }, 'cli');
    await people.invite({ email: clerk, organisation: parquet.id }, 'cli');
    await people.invite({ email: inspector, organisation: cnil.id }, 'cli');
    await people.invite({ email: operator, organisation: operators.id }, 'cli');
    platform = await world.api.platform('tiktok', { slaHours: 24 });
    await world.pushPlatform();
    const key = await world.api.app.get(ClientsService).create({ name: 'greffe', organisation: parquet.id }, 'cli');
    const submitted = await submitOrder(world.api, key.apiKey, orderBody(platform));
    expect(submitted.status).toBe(201);
    orderId = submitted.body.id;
    const auditor = (await world.api.client('auditor')).apiKey;
    await waitFor(
      async () => (await world.api.request({ method: 'GET', url: '/v1/audit/checkpoint', key: auditor })).status === 200,
      'a checkpoint',
    );
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) {
      for (const page of context.pages())
        await page.screenshot({ path: `/tmp/console-shell-failure-${Date.now()}.png` }).catch(() => undefined);
      await context.close();
    }
  });

  /** Signed in at desktop width (the provider's pages are not the console's), then watched for problems. */
  async function signedInPage(
    login: string,
    options: { timezoneId?: string; permissions?: string[] } = {},
  ): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
    const { context, page } = await signedInContext(browser, base, login, { viewport: { width: 1280, height: 900 }, ...options });
    const problems = collectProblems(page);
    return { page, context, problems };
  }

  /** A page of the console, once its content has loaded (nothing busy left). */
  async function open(page: Page, path: string, ready: string): Promise<void> {
    await page.goto(`${base}/console/#${path}`);
    await page.waitForSelector(ready);
    await page.waitForFunction(() => !document.querySelector('main [aria-busy="true"]'));
  }

  /** A DSFR modal once open and through its fade-in (axe would judge the colours halfway). */
  async function shown(page: Page, selector: string): Promise<void> {
    await page.waitForSelector(selector);
    await page.waitForFunction((s) => {
      const el = document.querySelector(s);
      return !!el && getComputedStyle(el).opacity === '1';
    }, selector);
  }

  /** The menu of a phone: its button opens the DSFR modal, a link in it leads to its page and closes it. */
  async function menuLeadsTo(page: Page, label: string, hash: string): Promise<void> {
    const menu = page.locator('#modal-menu');
    expect(await menu.getAttribute('class')).not.toContain('fr-modal--opened');
    expect(await page.locator('#modal-menu .fr-nav__link', { hasText: label }).isVisible()).toBe(false);
    await page.click('[data-testid="menu-button"]');
    await page.waitForSelector('#modal-menu.fr-modal--opened');
    expect(await page.getAttribute('[data-testid="menu-button"]', 'data-fr-opened')).toBe('true');
    // The person and the sign-out come with the menu on a phone.
    expect(await page.locator('#modal-menu [data-testid="who"]').isVisible()).toBe(true);
    // The menu is fixed over the page (noHorizontalOverflow does not see it): nothing in it is cut.
    expect(
      await page.evaluate(() => {
        const menu = document.querySelector('#modal-menu')!;
        const who = menu.querySelector('[data-testid="who"]')!;
        return {
          menu: menu.scrollWidth <= menu.clientWidth,
          who: who.getBoundingClientRect().right <= window.innerWidth && who.scrollWidth <= who.clientWidth,
        };
      }),
    ).toEqual({ menu: true, who: true });
    expect(await page.locator('#modal-menu button', { hasText: 'Se déconnecter' }).isVisible()).toBe(true);
    await page.locator('#modal-menu .fr-nav__link', { hasText: label }).click();
    await page.waitForFunction((h) => window.location.hash === h, hash);
    await page.waitForSelector('#modal-menu:not(.fr-modal--opened)', { state: 'attached' });
  }

  const pagesOf = (role: 'clerk' | 'inspector' | 'operator') =>
    ({
      clerk: [
        { path: '/orders', ready: 'h1' },
        { path: `/orders/${orderId}`, ready: `[data-testid="platform-${platform}"]` },
        { path: '/orders/new', ready: '[data-testid="new-order"]' },
        { path: '/audit', ready: '[data-testid="events"]' },
      ],
      inspector: [
        { path: '/audit', ready: '[data-testid="events"]' },
        { path: '/audit/verify', ready: 'h1' },
        { path: '/reports/compliance', ready: 'h1' },
        { path: '/orders', ready: 'h1' },
      ],
      operator: [
        { path: '/admin', ready: '[data-testid="organisations"]' },
        { path: '/reports/compliance', ready: 'h1' },
      ],
    })[role];

  it.each([
    ['clerk', () => clerk, 'Journal', '#/audit'],
    ['inspector', () => inspector, 'Délais', '#/reports/compliance'],
    ['operator', () => operator, 'Délais', '#/reports/compliance'],
  ] as const)(
    'fits every page of a %s on a 320 and a 375 px screen, with the DSFR menu, in French, accessible and without errors',
    async (role, login, label, hash) => {
      const { page, problems } = await signedInPage(login());
      for (const width of PHONES) {
        await page.setViewportSize({ width, height: 740 });
        for (const { path, ready } of pagesOf(role)) {
          await open(page, path, ready);
          // Nothing wider than the screen; the header's tools are in the menu, not beside the logo.
          expect({ path, width, overflow: await noHorizontalOverflow(page) }).toEqual({ path, width, overflow: [] });
          expect(await page.locator('.fr-header__tools').isVisible()).toBe(false);
          expect(await page.locator('[data-testid="menu-button"]').isVisible()).toBe(true);
          expect({ path, width, violations: await seriousAccessibilityViolations(page) }).toEqual({ path, width, violations: [] });
          // The shell is French on every page (the pages' own content: see the report of issue 28).
          expect({ path, english: await englishWords(page, { within: 'header, footer, .fr-skiplinks', except: DATA }) }).toEqual({
            path,
            english: [],
          });
        }
        await open(page, pagesOf(role)[0]!.path, pagesOf(role)[0]!.ready);
        await menuLeadsTo(page, label, hash);
        // The menu open fits too, and passes axe.
        await page.click('[data-testid="menu-button"]');
        await shown(page, '#modal-menu.fr-modal--opened');
        expect(await noHorizontalOverflow(page)).toEqual([]);
        expect(await seriousAccessibilityViolations(page)).toEqual([]);
        expect(await englishWords(page, { within: 'header', except: DATA })).toEqual([]);
        // Escape closes it and gives the focus back to its button.
        await page.keyboard.press('Escape');
        await page.waitForSelector('#modal-menu:not(.fr-modal--opened)', { state: 'attached' });
        expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('menu-button');
      }
      // At desktop width the navigation is a bar again, with no menu button.
      await page.setViewportSize({ width: 1280, height: 900 });
      await open(page, pagesOf(role)[0]!.path, pagesOf(role)[0]!.ready);
      expect(await page.locator('[data-testid="menu-button"]').isVisible()).toBe(false);
      expect(await page.locator('.fr-header__tools [data-testid="who"]').isVisible()).toBe(true);
      expect(await page.locator('.fr-nav__link', { hasText: label }).isVisible()).toBe(true);
      expect(problems).toEqual([]);
    },
  );

  it('names the person signed in, in the header, from GET /v1/session', async () => {
    const { page, problems } = await signedInPage(clerk);
    const [person] = await world.api.dataSource.query(`SELECT display_name, email FROM people WHERE email = $1`, [clerk]);
    const session = await page.evaluate(async () => (await fetch('/v1/session')).json());
    expect(session.person).toEqual({ name: person.display_name, email: clerk, attemptMails: false });
    const who = await page.locator('.fr-header__tools [data-testid="who"]').innerText();
    expect(who).toContain(person.display_name ?? clerk);
    expect(who).toContain(`Parquet près le tribunal judiciaire de Paris ${unique}`);
    expect(who).toContain('autorité judiciaire');
    // A key is no person.
    const key = await world.api.app.get(ClientsService).create({ name: 'lecture', organisation: parquetId }, 'cli');
    expect((await world.api.request({ method: 'GET', url: '/v1/session', key: key.apiKey })).body.person).toBeNull();
    expect(problems).toEqual([]);
  });

  it('serves the DSFR favicons from the console, and shows a busy region while a page loads', async () => {
    const { page, problems } = await signedInPage(operator);
    const icons = await page.$$eval('link[rel~="icon"], link[rel="apple-touch-icon"]', (links) =>
      links.map((l) => (l as HTMLLinkElement).href),
    );
    expect(icons).toHaveLength(3);
    for (const icon of icons) {
      expect(icon).toMatch(new RegExp(`^${base}/console/assets/`));
      const res = await page.request.get(icon);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toMatch(/^image\//);
    }
    // The organisations held back: the page says it is loading, as the DSFR would (aria-busy, words for screen readers).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v1/admin/organisations', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${base}/console/#/reports/compliance`);
    await page.waitForSelector('h1');
    await page.goto(`${base}/console/#/admin`);
    const busy = page.locator('main [aria-busy="true"]').first();
    await busy.waitFor();
    expect(await busy.getAttribute('role')).toBe('status');
    expect(await busy.locator('.fr-sr-only').innerText()).toBe('Chargement en cours');
    expect(await page.locator('main').innerText()).not.toContain('Chargement…');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    release();
    await page.waitForSelector('[data-testid="organisations"]');
    expect(await page.locator('main [aria-busy="true"]').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('lets an operator confirm in a DSFR modal by keyboard, copy a key shown once, and read the admin page in French', async () => {
    const { page, problems } = await signedInPage(operator, { permissions: ['clipboard-read', 'clipboard-write'] });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.waitForSelector('[data-testid="organisations"]');
    // One "Organisations" heading that the eye sees (the table's caption is for screen readers).
    const headings = await page.$$eval('h1, h2, h3, h4, caption', (els) =>
      els
        .filter(
          (e) => (e as HTMLElement).checkVisibility() && e.getBoundingClientRect().height > 1 && e.textContent?.trim() === 'Organisations',
        )
        .map((e) => e.tagName),
    );
    expect(headings).toEqual(['H2']);
    // How each platform receives its directives, in French.
    const platforms = await page.locator('section[aria-labelledby="platforms-title"]').innerText();
    expect(platforms).toContain('par interrogation');
    expect(platforms).toContain('par webhook');
    expect(platforms.replace(/\b(push|tiktok)-[0-9a-f]+\b/g, '')).not.toMatch(/\b(pull|push)\b/);

    await page
      .locator('[data-testid="organisations"] tr', { hasText: `Parquet près le tribunal judiciaire de Paris ${unique}` })
      .locator('button')
      .click();
    await page.waitForSelector('[data-testid="organisation-panel"]');
    await fill(page, '#key-name', 'Intégration greffe');
    await page.click('form[aria-label="Nouvelle clé d’API"] button[type="submit"]');
    await page.waitForSelector('[data-testid="new-key"]');
    const key = (await page.locator('[data-testid="new-key"] .ost-mono').innerText()).trim();
    expect(key).toMatch(/^ost_[A-Za-z0-9_-]{43}$/);
    await page.click('[data-testid="new-key-copy"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="new-key"] [role="status"]')?.textContent?.includes('Copié'));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect(await page.locator('[data-testid="new-key-copy"]').getAttribute('class')).toContain('fr-btn');
    await screenshot(page, 'admin-desktop');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await expectFrench(page, 'admin, a key shown once');

    // Revoking the key: a DSFR modal, opened from the keyboard.
    const item = page.locator('[data-testid="organisation-panel"] li', { hasText: 'Intégration greffe' }).first();
    const trigger = item.locator('button[aria-controls]').first();
    await trigger.focus();
    await page.keyboard.press('Enter');
    const modal = page.locator('dialog.fr-modal[open]');
    await shown(page, 'dialog.fr-modal[open]');
    expect(await modal.getAttribute('aria-modal')).toBe('true');
    expect(await modal.locator('.fr-modal__title').innerText()).toBe('Révoquer la clé « Intégration greffe »');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await englishWords(page, { within: 'dialog[open]' })).toEqual([]);
    // The focus stays inside while it is open …
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]'))).toBe(true);
    }
    // … Escape closes it without revoking, and gives the focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog.fr-modal[open]'));
    expect(await trigger.evaluate((el) => el === document.activeElement)).toBe(true);
    const [{ revoked }] = await world.api.dataSource.query(
      `SELECT count(*)::int AS revoked FROM api_clients WHERE name = 'Intégration greffe' AND revoked_at IS NOT NULL`,
    );
    expect(revoked).toBe(0);
    // Confirmed: revoked.
    await page.keyboard.press('Enter');
    await modal.waitFor();
    await page.locator('dialog.fr-modal[open] [data-testid="confirm"]').click();
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="organisation-panel"] li')).some(
        (li) => li.textContent?.includes('Intégration greffe') && li.textContent.includes('révoquée'),
      ),
    );
    expect((await world.api.request({ method: 'GET', url: '/v1/orders', key })).status).toBe(401);
    expect(dialogs).toEqual([]);

    // On a phone, menu closed then open.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await noHorizontalOverflow(page)).toEqual([]);
    await screenshot(page, 'admin-phone');
    await expectFrench(page, 'admin at 375 px');
    await page.click('[data-testid="menu-button"]');
    await shown(page, '#modal-menu.fr-modal--opened');
    await screenshot(page, 'menu-admin-phone', { fullPage: false });
    expect(problems).toEqual([]);
  });

  it('shows an order on a phone with its menu, and prints without the navigation', async () => {
    const { page, problems } = await signedInPage(clerk);
    await open(page, `/orders/${orderId}`, `[data-testid="platform-${platform}"]`);
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await noHorizontalOverflow(page)).toEqual([]);
    await page.click('[data-testid="menu-button"]');
    await shown(page, '#modal-menu.fr-modal--opened');
    await screenshot(page, 'menu-open-phone', { fullPage: false });
    await expectFrench(page, 'an order at 375 px, its menu open');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#modal-menu:not(.fr-modal--opened)', { state: 'attached' });
    // Printed: the content, no navigation, no buttons, no footer links.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ media: 'print' });
    const visibleCount = (selector: string) =>
      page.$$eval(selector, (els) => els.filter((e) => (e as HTMLElement).checkVisibility()).length);
    expect(await visibleCount('.fr-nav, .fr-header__tools, [data-testid="menu-button"], main button, .fr-skiplinks')).toBe(0);
    expect(await visibleCount(`[data-testid="platform-${platform}"]`)).toBe(1);
    expect(await visibleCount('h1')).toBe(1);
    await page.emulateMedia({ media: 'screen' });
    expect(problems).toEqual([]);
  });

  it('reads a datetime-local filter as Paris time in a browser set to New York', async () => {
    const { page, problems } = await signedInPage(inspector, { timezoneId: 'America/New_York' });
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');
    await open(page, '/audit', '[data-testid="events"]');
    await fill(page, '#log-from', '2026-01-15T10:00');
    await fill(page, '#log-to', '2026-07-15T10:00');
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/v1/audit/events') && r.url().includes('from=')),
      page.locator('#log-from').evaluate((el) => (el as HTMLInputElement).form!.requestSubmit()),
    ]);
    const query = new URL(request.url()).searchParams;
    // 10:00 in Paris: 09:00 UTC in winter, 08:00 in summer (read in New York: 15:00 and 14:00).
    expect(query.get('from')).toBe('2026-01-15T09:00:00.000Z');
    expect(query.get('to')).toBe('2026-07-15T08:00:00.000Z');
    await page.waitForFunction(() => !document.querySelector('main [aria-busy="true"]'));
    expect(problems).toEqual([]);
  });
});
