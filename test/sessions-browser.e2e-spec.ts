/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { OrganisationsService, PeopleService, SessionStore } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  FIXTURE_NAMES,
  collectProblems,
  expectFrench,
  fill,
  launchChromium,
  screenshot,
  seriousAccessibilityViolations,
  signInThroughProvider,
} from './support/chromium';
import { OffsetClock, freePort } from './support/isolated';
import { type World, startWorld } from './support/world';

/**
 * Issue 29, points 3 and 4, in Chromium, with the provider on another site: the service at
 * http://127.0.0.1:<port>, its local provider's issuer at http://localhost:<port>/oidc (another
 * host, so another site for the browser, as ProConnect is). Idle timeout 24 s, so the console's
 * warning and the expiry happen within the test. The server reads time from the world's clock
 * (OffsetClock) and the console from Playwright's (page.clock): the time before the warning and
 * past the idle timeout is where those clocks are moved to, not a wait.
 */
jest.setTimeout(180_000);

const IDLE_MS = 24_000;

describe('sessions in a browser (issue 29)', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  let provider: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `clerk.${unique}@parquet.example.fr`;
  let platform: string;
  const clock = new OffsetClock();

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = `http://localhost:${port}`;
    const loaded = loadConfig({ ...process.env, LOCAL_OIDC_PROVIDER: 'true', PUBLIC_URL: base, PORT: String(port) }).signIn;
    const signIn = {
      ...loaded,
      oidc: { ...loaded.oidc!, issuer: `${provider}/oidc` },
      session: { ...loaded.session, idleMs: IDLE_MS },
    };
    world = await startWorld('sessions_browser', { clock, config: (c) => ({ ...c, signIn }) });
    await world.api.app.listen(port, '127.0.0.1');
    const parquet = await world.api.app.get(OrganisationsService).create({ name: `Parquet de Paris ${unique}`, role: 'authority' }, 'cli');
    await world.api.app.get(PeopleService).invite({ email: clerk, organisation: parquet.id }, 'cli');
    platform = await world.api.platform('tiktok', { slaHours: 24 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) {
      for (const page of context.pages()) await page.screenshot({ path: `/tmp/sessions-failure-${Date.now()}.png` }).catch(() => undefined);
      await context.close();
    }
  });

  async function newPage(width = 1280, height = 900): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width, height } });
    context.setDefaultTimeout(15_000);
    return { page: await context.newPage(), context };
  }

  /**
   * The problems of our pages: the development provider's login page (oidc-provider's, not ours)
   * asks Google for a font, which this machine cannot reach.
   */
  const ours = (problems: string[]) => problems.filter((p) => !p.includes('https://fonts.googleapis.com/'));

  /** The DSFR modal `id`, open and through its fade-in. */
  async function opened(page: Page, id: string): Promise<void> {
    await page.waitForSelector(`#${id}.fr-modal--opened`, { timeout: 30_000 });
    await page.waitForFunction((s) => getComputedStyle(document.querySelector(s)!).opacity === '1', `#${id}`);
  }

  it('shows a signed-out visitor the console’s own French page with the ProConnect button, and the refusal in French', async () => {
    for (const [width, height] of [
      [1280, 900],
      [375, 740],
    ] as const) {
      const { page } = await newPage(width, height);
      // The console asks who is signed in: 401 is its answer for a visitor, expected.
      const problems = collectProblems(page, (url, status) => status === 401 && url.endsWith('/v1/session'));
      await page.goto(`${base}/console/`);
      await page.waitForSelector('[data-testid="signed-out"]');
      expect(page.url()).toBe(`${base}/console/`);
      expect(await page.textContent('h1')).toBe('Connexion à Ostracon');
      const button = page.locator('button.fr-connect');
      expect((await button.textContent())?.replace(/\s+/g, ' ').trim()).toBe('S’identifier avec ProConnect');
      // ProConnect's logo, by the documented rule (a data: image, wider than the DSFR's FranceConnect one).
      const logo = await button.evaluate((el) => getComputedStyle(el, '::before').backgroundImage);
      expect(logo).toContain('width%3D%2254%22');
      const what = page.locator('.fr-connect-group a');
      expect(await what.getAttribute('href')).toBe('https://www.proconnect.gouv.fr/');
      expect(await what.textContent()).toBe('Qu’est-ce que ProConnect ?');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await expectFrench(page, `signed-out landing at ${width}px`, FIXTURE_NAMES);
      await screenshot(page, `signed-out-${width === 1280 ? 'desktop' : 'phone'}`);
      expect(ours(problems)).toEqual([]);
      // The button starts the sign-in: the provider's own page (English: oidc-provider's, not ours).
      await page.click('[data-testid="proconnect"]');
      await page.waitForSelector('input[name="login"]');
      expect(new URL(page.url()).origin).toBe(provider);
      await page.context().close();
    }

    const { page } = await newPage();
    const problems = collectProblems(page, (url, status) => (status === 401 && url.endsWith('/v1/session')) || status === 403);
    await page.goto(`${base}/console/`);
    await signInThroughProvider(page, `stranger.${unique}@example.fr`);
    await page.waitForSelector('main h1');
    expect(new URL(page.url()).pathname).toBe('/auth/callback');
    expect(await page.textContent('h1')).toBe('Vous n’êtes pas membre d’Ostracon');
    // The DSFR's look: its header, from the console's stylesheet on this site.
    expect(await page.locator('.fr-header__service-title').textContent()).toBe('Ostracon');
    expect(await page.locator('h1').evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/Marianne/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await expectFrench(page, 'sign-in refusal', [/unknown_person/g]);
    await screenshot(page, 'sign-in-refused-desktop');
    // Reached without the state of a sign-out this browser started: it claims nothing, in French.
    await page.goto(`${base}/auth/signed-out`);
    expect(await page.textContent('h1')).toBe('Ostracon');
    expect(await page.textContent('a.fr-btn')).toBe('Revenir à la page de connexion');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await expectFrench(page, 'signed out');
    expect(ours(problems)).toEqual([]);
  });

  it('lands a sign-in on the API path asked for, though the provider is another site', async () => {
    const { page } = await newPage();
    const problems = collectProblems(page);
    const fetchSite = new Map<string, string | undefined>();
    const reading: Promise<unknown>[] = [];
    page.on('request', (request) => {
      if (!request.isNavigationRequest()) return;
      const path = new URL(request.url()).pathname;
      reading.push(request.allHeaders().then((h) => fetchSite.set(path, h['sec-fetch-site'])));
    });
    await page.goto(`${base}/auth/sign-in?returnTo=${encodeURIComponent('/v1/session')}`);
    await signInThroughProvider(page, clerk);
    await page.waitForURL(`${base}/v1/session`);
    const body = JSON.parse((await page.textContent('body'))!);
    expect(body).toMatchObject({ kind: 'person', role: 'authority' });
    await Promise.all(reading);
    // Why: the provider's redirect to the callback is marked cross-site; the page of this site
    // that goes on to /v1/session makes that navigation same-origin.
    expect(fetchSite.get('/auth/callback')).toBe('cross-site');
    expect(fetchSite.get('/v1/session')).toBe('same-origin');
    expect(ours(problems)).toEqual([]);

    // A link on another site still cannot make a signed-in browser read the API.
    const other = await page.context().newPage();
    await other.goto(`${provider}/oidc/.well-known/openid-configuration`);
    const refused = await Promise.all([
      other.waitForResponse((r) => r.url() === `${base}/v1/session`),
      other.evaluate((url) => void (window.location.href = url), `${base}/v1/session`).catch(() => undefined),
    ]);
    expect(refused[0].status()).toBe(403);
    expect((await refused[0].json()).code).toBe('SESSION.CSRF_REJECTED');
  });

  it('warns before the idle expiry, and staying signed in extends the session', async () => {
    const { page } = await newPage();
    const problems = collectProblems(page, (url, status) => status === 401 && url.endsWith('/v1/session'));
    // The console's clock (Playwright's, flowing as real time does) and the server's move on together.
    await page.clock.install();
    await page.goto(`${base}/console/`);
    await signInThroughProvider(page, clerk);
    await page.waitForSelector('[data-testid="who"]');
    const signedInAt = Date.now();
    // 9 s on, on both clocks: the console warns a third of the idle time before its deadline
    // (24 − 6 − 8 = 10 s after its last answer), so within the next second, not 10 s from now.
    const AHEAD = 9_000;
    clock.offsetMs = AHEAD;
    try {
      await page.clock.fastForward(AHEAD);
      await opened(page, 'modal-idle-warning');
      expect(Date.now() + AHEAD - signedInAt).toBeLessThan(IDLE_MS);
      expect(await page.textContent('#modal-idle-warning-title')).toBe('Votre session va expirer');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await expectFrench(page, 'idle warning', FIXTURE_NAMES);
      await screenshot(page, 'idle-warning-desktop', { fullPage: false });
      // On a phone too.
      await page.setViewportSize({ width: 375, height: 740 });
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      expect(await page.locator('[data-testid="stay-signed-in"]').isVisible()).toBe(true);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.click('[data-testid="stay-signed-in"]');
      // Closed: the DSFR drops the class, then hides the dialog once it has faded out. Waiting for a
      // visible dialog without the class catches only that fade, which a busy poll can miss.
      await page.waitForSelector('#modal-idle-warning:not(.fr-modal--opened)', { state: 'attached' });
      // Past the idle timeout counted from the sign-in, on the server's clock: the session lives on.
      clock.offsetMs = Math.max(AHEAD, signedInAt + IDLE_MS + 1000 - Date.now());
      expect(await page.evaluate(async () => (await fetch('/v1/session')).status)).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
    expect(ours(problems)).toEqual([]);
  });

  it('keeps a long form through the end of its session: sign in again in a new tab, then the same values are sent', async () => {
    const { page, context } = await newPage();
    const problems = collectProblems(page, (url, status) => status === 401 && /\/v1\/(session|orders)$/.test(url));
    await page.goto(`${base}/console/#/orders/new`);
    await signInThroughProvider(page, clerk);
    await page.waitForSelector('[data-testid="new-order"]');
    await page.waitForFunction((p) => !!document.querySelector(`#f-platform-0 option[value="${p}"]`), platform);
    const reference = `TJ-PARIS-${unique}`;
    await fill(page, '#f-courtReference', reference);
    await fill(page, '#f-court', 'Tribunal judiciaire de Paris');
    await fill(page, '#f-decisionDate', new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10));
    await page.waitForFunction(() => document.querySelectorAll('#f-offence option').length > 1);
    await fill(page, '#f-offence', 'cyberharassment');
    await fill(page, '#f-email-0', 'someone.long-form@example.fr');
    await fill(page, '#f-platform-0', platform);
    await fill(page, '#f-account-0-0', '7012345678');
    await fill(page, '#f-durationMonths', '6');

    // The session ends while the form is open (here: its row ended, as a removal or an expiry would).
    const sessions = world.api.app.get(SessionStore);
    const cookie = (await context.cookies(base)).find((c) => c.name === 'ostracon_session')!.value;
    expect(await sessions.end(cookie, 'expired')).toBe(true);

    await page.click('[data-testid="new-order"] button[type="submit"]');
    await opened(page, 'modal-session-ended');
    expect(await page.textContent('#modal-session-ended-title')).toBe('Votre session a expiré');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await expectFrench(page, 'session ended', [...FIXTURE_NAMES, /Test platform \S+/g]);
    await screenshot(page, 'session-ended-desktop', { fullPage: false });

    // Signing in again in a new tab (the provider remembers the person: straight back).
    const [tab] = await Promise.all([context.waitForEvent('page'), page.click('[data-testid="sign-in-new-tab"]')]);
    await tab.waitForURL(`${base}/auth/signed-in`);
    expect(await tab.textContent('h1')).toBe('Vous êtes connecté');
    await expectFrench(tab, 'signed in again', [new RegExp(`Parquet de Paris ${unique}`, 'g')]);
    await tab.close();

    await page.click('[data-testid="resume"]');
    // Closed: the DSFR drops the class, then hides the dialog once it has faded out. Waiting for a
    // visible dialog without the class catches only that fade, which a busy poll can miss.
    await page.waitForSelector('#modal-session-ended:not(.fr-modal--opened)', { state: 'attached' });
    expect(await page.inputValue('#f-courtReference')).toBe(reference);
    expect(await page.inputValue('#f-email-0')).toBe('someone.long-form@example.fr');
    await page.click('[data-testid="new-order"] button[type="submit"]');
    await page.waitForFunction(() => /#\/orders\/[0-9a-f-]{36}$/.test(window.location.hash));
    const orders = await world.api.dataSource.query(`SELECT id FROM ban_orders WHERE court_reference = $1`, [reference]);
    expect(orders).toHaveLength(1);
    // What was typed was kept in memory, never in the browser's storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain('long-form');
    expect(ours(problems).filter((p) => !/HTTP 401/.test(p))).toEqual([]);
  });
});
