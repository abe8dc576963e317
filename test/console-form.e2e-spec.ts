/// <reference lib="dom" />
import { randomBytes, randomUUID } from 'node:crypto';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import type { Browser, Page } from 'playwright-core';
import { collectProblems, expectFrench, fill, screenshot, seriousAccessibilityViolations, signedInContext } from './support/chromium';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';

/**
 * The new-order form as a clerk uses it with the judgment in hand, and French wherever the console
 * speaks: offences by the Code pénal's own headings and articles, problems by their code (never the
 * API's English detail), the duration in months and days counted on the Paris calendar, several
 * e-mails, phones and accounts, and the errors listed at the top of the form, each a link.
 */
jest.setTimeout(120_000);

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

describe('the new-order form and French problems in a browser', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  let platform: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `clerk.${unique}@parquet.example.fr`;
  const decided = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    ({ world, base, browser } = await startConsoleWorld('console-form'));
    const parquet = await world.api.app
      .get(OrganisationsService)
      .create({ name: `Parquet de Nanterre ${unique}`, role: 'authority' }, 'cli');
    await world.api.app.get(PeopleService).invite({ email: clerk, organisation: parquet.id }, 'cli');
    platform = await world.api.platform('tiktok', { slaHours: 24 });
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  /**
   * A signed-in page whose every console error, page error, failed request and answer ≥ 400 is
   * recorded in `problems`, unless `expected` says the page asked for it (a 404 it shows as such).
   */
  async function signedInPage(viewport = DESKTOP, expected: (url: string, status: number) => boolean = () => false) {
    const { page } = await signedInContext(browser, base, clerk, { timezoneId: 'UTC', viewport });
    // From here on: the provider's own login page (its 401 and web fonts) is not the console.
    return { page, problems: collectProblems(page, expected) };
  }

  const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

  async function openForm(page: Page) {
    await page.goto(`${base}/console/#/orders/new`);
    await page.waitForSelector('[data-testid="new-order"]');
    await page.waitForFunction((p) => !!document.querySelector(`#f-platform-0 option[value="${p}"]`), platform);
    await page.waitForFunction(() => document.querySelectorAll('#f-offence option').length > 1);
  }

  /** Everything but the identity signals. */
  async function fillTerms(page: Page, reference: string, offence = 'sexual_harassment') {
    await fill(page, '#f-courtReference', reference);
    await fill(page, '#f-court', 'Tribunal judiciaire de Nanterre');
    await fill(page, '#f-decisionDate', decided);
    await fill(page, '#f-offence', offence);
    await fill(page, '#f-platform-0', platform);
    await fill(page, '#f-account-0-0', `acct-${unique}-1`);
  }

  it('offers the offences by their French heading and articles, and checks the months against the law as they are typed', async () => {
    const { page, problems } = await signedInPage();
    await openForm(page);
    const options = await page.locator('#f-offence option').allInnerTexts();
    expect(options).toContain('Harcèlement moral (Code pénal, art. 222-33-2 ; Code pénal, art. 222-33-2-1 ; Code pénal, art. 222-33-2-3)');
    expect(options).toContain('Usurpation d’identité (Code pénal, art. 226-4-1)');
    expect(options.join(' ')).not.toMatch(/harassment|theft|Incitement/i);

    // Code pénal 131-35-1: 6 months for a first conviction, said on the field before anything is sent.
    await fill(page, '#f-durationMonths', '6');
    expect(await page.locator('#f-durationMonths-error').count()).toBe(0);
    await fill(page, '#f-durationMonths', '7');
    await page.waitForSelector('#f-durationMonths-error');
    expect(await text(page, '#f-durationMonths-error')).toMatch(/^Au plus 6 mois pour ce fondement : fin au plus tard le /);
    expect(await page.locator('#f-durationMonths').getAttribute('aria-invalid')).toBe('true');
    // 6 months and a day is over too.
    await fill(page, '#f-durationMonths', '6');
    await fill(page, '#f-durationDays', '1');
    await page.waitForSelector('#f-durationMonths-error');
    await fill(page, '#f-durationDays', '');
    // 12 for a repeat offender's conviction, but not under probation.
    await fill(page, '#f-durationMonths', '12');
    await page.click('label[for="f-repeatOffender"]');
    await page.waitForFunction(() => !document.querySelector('#f-durationMonths-error'));
    await fill(page, '#f-legalBasis', 'probation');
    await page.waitForSelector('#f-durationMonths-error');
    expect(await text(page, '#f-durationMonths-error')).toMatch(/^Au plus 6 mois/);
    await fill(page, '#f-legalBasis', 'conviction');
    await fill(page, '#f-durationMonths', '-1');
    expect(await text(page, '#f-durationMonths-error')).toBe('Un nombre entier, de 0 à 12');
    await fill(page, '#f-durationMonths', '0');
    expect(await text(page, '#f-durationMonths-error')).toBe('La durée doit être d’au moins un jour');

    // The end, as the API will compute it: the next 1 March 03:24 in Paris plus one month is
    // 1 April 03:24, though summer time began in between.
    const now = new Date();
    const year = now.getTime() < Date.UTC(now.getUTCFullYear(), 1, 27) ? now.getUTCFullYear() : now.getUTCFullYear() + 1;
    await fill(page, '#f-startsAt', `${year}-03-01T03:24`);
    await fill(page, '#f-durationMonths', '1');
    await page.waitForFunction(() => /03:24/.test(document.querySelector('[data-testid="ends-at"]')?.textContent ?? ''));
    expect(await text(page, '[data-testid="ends-at"]')).toBe(`Fin du bannissement : 1 avr. ${year}, 03:24 (heure de Paris)`);
    await fill(page, '#f-durationMonths', '0');
    await fill(page, '#f-durationDays', '31');
    expect(await text(page, '[data-testid="ends-at"]')).toBe(`Fin du bannissement : 1 avr. ${year}, 03:24 (heure de Paris)`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])(
    'says before sending that a signal is needed, and lists the errors at the top, focused, each a link to its field (%s)',
    async (name, viewport) => {
      const { page, problems } = await signedInPage(viewport);
      await openForm(page);
      expect(await text(page, '#signals-hint')).toMatch(/^Au moins un signal d’identité est nécessaire/);
      await fillTerms(page, `TJ-NANTERRE-${unique}-EMPTY`);
      await fill(page, '#f-email-0', 'pas-une-adresse');
      await page.click('[data-testid="new-order"] button[type="submit"]');
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'error-summary');
      const summary = page.locator('[data-testid="error-summary"] .fr-alert');
      expect(await summary.locator('.fr-alert__title').innerText()).toBe('Le formulaire contient 1 erreur(s)');
      expect(await summary.locator('a').allInnerTexts()).toEqual(['Adresse électronique 1 : Adresse électronique invalide']);
      // A valid address cleared away: no signal at all, said on the group and in the summary.
      await fill(page, '#f-email-0', '');
      await page.waitForFunction(() =>
        /Signaux d’identité/.test(document.querySelector('[data-testid="error-summary"]')?.textContent ?? ''),
      );
      const link = summary.locator('a', { hasText: 'Signaux d’identité' });
      expect(await link.getAttribute('href')).toBe('#f-email-0');
      expect(await text(page, '#signals-messages')).toMatch(/^Indiquez au moins un signal/);
      // Nothing was sent.
      expect(
        await world.api.dataSource.query(`SELECT 1 FROM ban_orders WHERE court_reference = $1`, [`TJ-NANTERRE-${unique}-EMPTY`]),
      ).toEqual([]);
      await link.click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-email-0');
      expect(page.url()).toMatch(/#\/orders\/new$/);
      // The form fits the screen: nothing of it is beyond the viewport's width.
      const right = await page.evaluate(() => document.querySelector('[data-testid="new-order"]')!.getBoundingClientRect().right);
      expect(right).toBeLessThanOrEqual(viewport.width);
      await expectFrench(page, `new order, its error summary (${name})`);
      await screenshot(page, `new-order-summary-${name}`);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    },
  );

  it('registers several e-mails, phones and accounts, and shows the order’s offence by its French heading and article', async () => {
    const { page, problems } = await signedInPage();
    await openForm(page);
    const reference = `TJ-NANTERRE-${unique}-MANY`;
    await fillTerms(page, reference);
    await fill(page, '#f-email-0', 'premiere.adresse@example.fr');
    await page.click('button:has-text("Ajouter une adresse")');
    await fill(page, '#f-email-1', 'seconde.adresse@example.fr');
    await page.click('button:has-text("Ajouter une adresse")');
    await fill(page, '#f-email-2', 'retiree@example.fr');
    // Each remove button says, to a screen reader, what it removes.
    await page.getByRole('button', { name: 'Retirer l’adresse électronique 3' }).click();
    expect(await page.locator('#f-email-2').count()).toBe(0);
    await fill(page, '#f-phone-0', '06 12 34 56 78');
    await page.click('button:has-text("Ajouter un téléphone")');
    await fill(page, '#f-phone-1', '07 98 76 54 32');
    await page.getByRole('button', { name: 'Ajouter un compte (Plateforme 1)' }).click();
    await fill(page, '#f-account-0-1', `acct-${unique}-2`);
    await fill(page, '#f-durationMonths', '4');
    await fill(page, '#f-durationDays', '15');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.click('[data-testid="new-order"] button[type="submit"]');
    await page.waitForFunction(() => /#\/orders\/[0-9a-f-]{36}$/.test(window.location.hash));
    const orderId = /#\/orders\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    // What the API received: four signals, two accounts, four months and fifteen days in Paris.
    const order = await (await page.request.get(`${base}/v1/orders/${orderId}`)).json();
    expect(order.signalCount).toBe(4);
    expect(order.platforms).toEqual([expect.objectContaining({ platform, accountCount: 2 })]);
    const paris = (iso: string) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
    expect(paris(order.endsAt).slice(11)).toBe(paris(order.startsAt).slice(11));

    await page.waitForSelector('[data-testid="offence"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="offence"]')?.textContent?.startsWith('Harcèlement'));
    expect(await text(page, '[data-testid="offence"]')).toBe('Harcèlement sexuel (Code pénal, art. 222-33)');
    expect(await text(page, 'main')).toContain('4 signal(aux) haché(s)');
    expect(await text(page, 'main')).not.toContain('sexual_harassment');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('says a problem in French, by its code, never with the API’s English detail', async () => {
    // An order no one has: the API answers 404 ORDER.NOT_FOUND, which the page expects.
    const missing = randomUUID();
    const { page, problems } = await signedInPage(DESKTOP, (url, status) => status === 404 && url.endsWith(`/v1/orders/${missing}`));
    await page.goto(`${base}/console/#/orders/${missing}`);
    await page.waitForSelector('.fr-alert--error');
    const shown = await text(page, 'main');
    expect(shown).toContain('Cette ordonnance n’existe pas ou n’est pas visible pour votre organisation.');
    expect(shown).not.toMatch(/No order|ORDER\.NOT_FOUND|client may see/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);

    // A revocation of an order revoked meanwhile (from another window): 409 ORDER.NOT_REVOCABLE.
    await openForm(page);
    await fillTerms(page, `TJ-NANTERRE-${unique}-REVOKED`, 'identity_theft');
    await fill(page, '#f-email-0', 'revoquee@example.fr');
    await page.click('[data-testid="new-order"] button[type="submit"]');
    await page.waitForFunction(() => /#\/orders\/[0-9a-f-]{36}$/.test(window.location.hash));
    const orderId = /#\/orders\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.waitForSelector('[data-testid="revoke"]');
    expect(await text(page, '[data-testid="offence"]')).toBe('Usurpation d’identité (Code pénal, art. 226-4-1)');
    const csrf = (await (await page.request.get(`${base}/v1/session`)).json()).csrfToken;
    const first = await page.request.post(`${base}/v1/orders/${orderId}/revoke`, {
      headers: { 'x-csrf-token': csrf },
      data: { reason: 'Appel', decisionReference: 'CA-VERSAILLES-1' },
    });
    expect(first.status()).toBe(200);
    page.removeAllListeners('response');
    page.removeAllListeners('console');
    const expectedConflict: string[] = [];
    page.on('response', (r) => r.status() >= 400 && expectedConflict.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await page.click('[data-testid="revoke"]');
    await fill(page, '#revoke-reason', 'Appel : infirmation');
    await fill(page, '#revoke-reference', 'CA-VERSAILLES-2');
    await page.click('form[aria-labelledby="revoke-title"] button[type="submit"]');
    await page.waitForFunction(() => /déjà pris fin/.test(document.querySelector('main')?.textContent ?? ''));
    expect(expectedConflict).toEqual([`409 /v1/orders/${orderId}/revoke`]);
    const after = await text(page, 'main');
    expect(after).toContain('Cette ordonnance a déjà pris fin (révoquée ou expirée) : elle ne peut plus être révoquée.');
    expect(after).not.toMatch(/already|ORDER\.NOT_REVOCABLE/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
