/// <reference lib="dom" />
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { OrganisationsService, PeopleService } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import canonicalize from 'canonicalize';
import type { Browser, Page } from 'playwright-core';
import { orderBody } from './support/builders';
import { expectFrench, fill, screenshot, seriousAccessibilityViolations, signInThroughProvider } from './support/chromium';
import { waitFor } from './support/isolated';
import { startConsoleWorld } from './support/console-world';
import type { World } from './support/world';
import { InProcessWitness } from './support/witness';
import { ed25519Key } from '@ostracon/audit';
import { verifierKey } from '@ostracon/platform-sdk/transparency';

/**
 * The console in a real browser (Debian's chromium, driven by puppeteer-core): people sign in
 * through the local provider, an authority registers, follows and revokes an order, an auditor
 * verifies the log in the browser, and each page passes an accessibility scan.
 */
jest.setTimeout(120_000);

describe('the console in a browser', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `clerk.${unique}@parquet.example.fr`;
  const inspector = `inspector.${unique}@cnil.example.fr`;
  const operator = `operator.${unique}@ostracon.example.fr`;
  let platform: string;
  let platformKey: string;
  const witness = new InProcessWitness('witness.test/cnil');

  beforeAll(async () => {
    const logConfig = loadConfig().audit;
    await witness.start(verifierKey(logConfig.origin, ed25519Key(logConfig.signingKeys[0]!.key).publicKey));
    ({ world, base, browser } = await startConsoleWorld('console', {
      worker: {},
      fastLog: true,
      config: (c) => ({
        ...c,
        audit: { ...c.audit, witnesses: [{ name: witness.name, vkey: witness.verifierKey, url: witness.url }], witnessQuorum: 1 },
      }),
    }));
    const organisations = world.api.app.get(OrganisationsService);
    const people = world.api.app.get(PeopleService);
    const parquet = await organisations.create({ name: `Parquet de Paris ${unique}`, role: 'authority' }, 'cli');
    const cnil = await organisations.create({ name: `CNIL ${unique}`, role: 'auditor' }, 'cli');
    await people.invite({ email: clerk, organisation: parquet.id }, 'cli');
    await people.invite({ email: inspector, organisation: cnil.id }, 'cli');
    const operators = await organisations.create({ name: `Exploitation ${unique}`, role: 'admin' }, 'cli');
    await people.invite({ email: operator, organisation: operators.id }, 'cli');
    platform = await world.api.platform('tiktok', { slaHours: 24 });
    platformKey = (await world.api.client('platform', platform)).apiKey;
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    await witness.stop();
  });

  async function signedInPage(login: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('console', (m) => browserLog.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));
    await page.goto(`${base}/console/`);
    await signInThroughProvider(page, login);
    await page.waitForSelector('[data-testid="who"]');
    return page;
  }

  const browserLog: string[] = [];
  afterEach(async () => {
    if (process.env.PRINT_BROWSER_LOG) writeFileSync('/tmp/browser-log.txt', browserLog.join('\n'));
    // What the browser showed when a step failed: /tmp/console-failure-*.png, for whoever looks next.
    // Then the test's windows close: a later test opens its own, and must not shoot these again.
    for (const context of browser?.contexts() ?? []) {
      for (const page of context.pages()) await page.screenshot({ path: `/tmp/console-failure-${Date.now()}.png` }).catch(() => undefined);
      await context.close();
    }
  });

  async function expectAccessible(page: Page): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }

  /** The page in French and its screenshots, at 1280 then 375 px, back to 1280. */
  async function bothWidths(page: Page, state: string): Promise<void> {
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

  const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

  it('lets a clerk register an order through the form, see it enforced, and revoke it', async () => {
    // The page may run only its own scripts and may not be framed.
    const served = await fetch(`${base}/console/`);
    expect(served.headers.get('content-security-policy')).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    const page = await signedInPage(clerk);
    expect(await text(page, '[data-testid="who"]')).toContain(`Parquet de Paris ${unique}`);
    // A clerk's session does not open the operators' queue dashboard.
    expect((await page.request.get(`${base}/admin/queues`)).status()).toBe(403);
    await page.waitForSelector('h1');
    expect(await text(page, 'h1')).toBe('Ordonnances de bannissement');
    await expectAccessible(page);

    await page.goto(`${base}/console/#/orders/new`);
    await page.waitForSelector('[data-testid="new-order"]');
    await page.waitForFunction((p) => !!document.querySelector(`#f-platform-0 option[value="${p}"]`), platform);
    const reference = `TJ-PARIS-${unique}`;
    await fill(page, '#f-courtReference', reference);
    await fill(page, '#f-court', 'Tribunal judiciaire de Paris');
    const decided = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await fill(page, '#f-decisionDate', decided);
    await page.waitForFunction(() => document.querySelectorAll('#f-offence option').length > 1);
    await fill(page, '#f-offence', 'cyberharassment');
    await fill(page, '#f-email-0', 'Someone+X@Example.fr');
    await fill(page, '#f-phone-0', '06 12 34 56 78');
    await fill(page, '#f-platform-0', platform);
    await fill(page, '#f-account-0-0', '7012345678');
    // Longer than the law allows a first conviction: said on the field, before anything is sent.
    await fill(page, '#f-durationMonths', '7');
    await page.waitForSelector('#f-durationMonths-error');
    expect(await text(page, '#f-durationMonths-error')).toMatch(/Au plus 6 mois/);
    await bothWidths(page, 'new-order');
    await expectAccessible(page);
    await fill(page, '#f-durationMonths', '6');
    await page.waitForFunction(() => !document.querySelector('#f-durationMonths-error'));
    // A double click sends one order: the form keeps one Idempotency-Key.
    await page.dblclick('[data-testid="new-order"] button[type="submit"]');
    await page.waitForFunction(() => /#\/orders\/[0-9a-f-]{36}$/.test(window.location.hash));
    const orderId = /#\/orders\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const orders = await world.api.dataSource.query(`SELECT id FROM ban_orders WHERE court_reference = $1`, [reference]);
    expect(orders.map((o: { id: string }) => o.id)).toEqual([orderId]);
    // Nothing of the raw identity values stays in the browser's storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored.toLowerCase()).not.toContain('someone');

    // The platform pulls its directive and confirms it: the order page shows it enforced, in time.
    const directive = await waitFor(async () => {
      const res = await world.api.request({ method: 'GET', url: '/v1/directives', key: platformKey });
      return res.body.items.find((d: { orderId: string }) => d.orderId === orderId);
    }, 'the directive to be pullable');
    const ack = await world.api.request({
      method: 'POST',
      url: `/v1/directives/${directive.id}/ack`,
      key: platformKey,
      body: { outcome: 'enforced' },
    });
    expect(ack.status).toBe(200);
    await page.reload();
    await page.waitForSelector(`[data-testid="platform-${platform}"]`);
    await page.waitForFunction(
      (p) => document.querySelector(`[data-testid="platform-${p}"]`)?.textContent?.includes('Exécution confirmée'),
      platform,
    );
    const card = (await text(page, `[data-testid="platform-${platform}"]`)).toLowerCase();
    expect(card).toContain('exécutée');
    expect(card).toContain('délai respecté');
    // The platform by its name, as the list and the certificate name it.
    expect(await text(page, `[data-testid="platform-${platform}"] h3`)).toBe(`Test platform ${platform}`);
    await bothWidths(page, 'order');
    await expectAccessible(page);

    // Revoked after a confirmation, with its reason and decision reference.
    await page.click('[data-testid="revoke"]');
    await fill(page, '#revoke-reason', 'Appel : infirmation');
    await fill(page, '#revoke-reference', 'CA-PARIS-2026-42');
    await page.click('form[aria-labelledby="revoke-title"] button[type="submit"]');
    await page.waitForFunction(() => document.body.innerText.includes('Ordonnance révoquée le'));
    expect(await text(page, 'main')).toContain('révoquée');
  });

  it('lets an inspector browse the log and verify it in the browser, and shows a forged checkpoint and a rewritten log as failures', async () => {
    await waitFor(async () => {
      const res = await world.api.request({ method: 'GET', url: '/v1/audit/checkpoint', key: (await world.api.client('auditor')).apiKey });
      return res.status === 200 && res.body.size > 5;
    }, 'a checkpoint');
    const page = await signedInPage(inspector);
    await page.waitForSelector('[data-testid="events"]');
    await expectFrench(page, 'the log');
    await expectAccessible(page);

    await page.goto(`${base}/console/#/audit/verify?seq=1`);
    await page.waitForSelector('[data-testid="pin"]:not([disabled])');
    await page.click('[data-testid="pin"]');
    await page.waitForSelector('[data-testid="pinned"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="signature"]')?.textContent?.includes('Signature valide'));
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="consistency"]')?.textContent?.includes('Premier point de contrôle'),
    );
    await page.click('[data-testid="check-inclusion"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="inclusion"]')?.textContent?.includes('est inclus'));
    // The newest checkpoint's note, cosigned by the one witness, checked in the browser.
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="witnessed"]')
        ?.textContent?.includes('cosigné par 1 témoin(s) sur 1 (quorum : 1) : witness.test/cnil'),
    );
    await expectFrench(page, 'verified, cosigned');
    await expectAccessible(page);

    // The log grows; the next visit proves the new checkpoint extends the one this browser saw.
    const seen = JSON.parse((await page.evaluate(() => localStorage.getItem('ostracon.audit.lastCheckpoint')))!);
    await world.submit(orderBody(platform));
    await waitFor(async () => {
      const res = await world.api.request({ method: 'GET', url: '/v1/audit/checkpoint', key: (await world.api.client('auditor')).apiKey });
      return res.body.size > seen.size;
    }, 'a newer checkpoint');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="consistency"]')?.textContent?.includes('rien n’a été réécrit'));

    // A proxy between the browser and the service: first a checkpoint signed with another key …
    const real = (await world.api.request({ method: 'GET', url: '/v1/audit/checkpoint', key: (await world.api.client('auditor')).apiKey }))
      .body;
    const forgeWith = (seed: Buffer, checkpoint: { size: number; rootHash: string; timestamp: string; keyId: string }) => {
      const key = createPrivateKey({
        key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
        format: 'der',
        type: 'pkcs8',
      });
      const message = canonicalize({ rootHash: checkpoint.rootHash, size: checkpoint.size, timestamp: checkpoint.timestamp })!;
      return { ...checkpoint, signature: sign(null, Buffer.from(message), key).toString('base64') };
    };
    let served: unknown = forgeWith(randomBytes(32), real);
    await page.route('**/v1/audit/checkpoint', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(served) }),
    );
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="signature"]')?.textContent?.includes('Signature INVALIDE'));

    // … then a rewritten log, re-signed with the service's own key (a compromised server): the
    // signature holds, the consistency with what this browser saw does not.
    const seed = world.config.audit.signingKeys[0]!.key;
    served = forgeWith(seed, {
      ...real,
      size: real.size + 1,
      rootHash: randomBytes(32).toString('hex'),
      timestamp: new Date().toISOString(),
    });
    await world.submit(orderBody(platform));
    await waitFor(async () => {
      const res = await world.api.request({
        method: 'GET',
        url: `/v1/audit/proofs/consistency?from=${real.size}&to=${real.size + 1}`,
        key: (await world.api.client('auditor')).apiKey,
      });
      return res.status === 200;
    }, 'the tree to reach the forged size');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="signature"]')?.textContent?.includes('Signature valide'));
    await page.waitForFunction(() => document.querySelector('[data-testid="consistency"]')?.textContent?.startsWith('ÉCHEC'));
    expect(await page.locator('[data-testid="consistency"]').getAttribute('class')).toContain('fr-alert--error');
    await bothWidths(page, 'verify-rewritten');

    // And a service that announces another key than the one pinned here is shown in red.
    const { publicKey } = generateKeyPairSync('ed25519');
    await page.route('**/v1/audit/public-key', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          keys: [{ keyId: real.keyId, algorithm: 'Ed25519', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) }],
        }),
      }),
    );
    await page.reload();
    await page.waitForSelector('[data-testid="key-changed"]');
  });

  it('shows an auditor the enforcement compliance of each platform as a chart and a table that match the directives, with a CSV', async () => {
    // The two orders of the previous test reach the platform; it rejects one and leaves the other pending.
    const pulled = await waitFor(async () => {
      const res = await world.api.request({ method: 'GET', url: '/v1/directives', key: platformKey });
      const suspends = res.body.items.filter((d: { type: string }) => d.type === 'suspend');
      return suspends.length >= 2 ? suspends : null;
    }, 'two suspend directives delivered');
    const reject = await world.api.request({
      method: 'POST',
      url: `/v1/directives/${pulled[0].id}/ack`,
      key: platformKey,
      body: { outcome: 'rejected' },
    });
    expect(reject.status).toBe(200);
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(new Date());

    const page = await signedInPage(inspector);
    await page.goto(`${base}/console/#/reports/compliance`);
    await page.waitForSelector('[data-testid="compliance-table"]');
    // The clerk's order was enforced in time; of the two since, one rejected, one pending.
    const bar = (series: string) =>
      page.locator(`[data-row="${platform} ${month}"] rect[data-series="${series}"]`).getAttribute('data-value', { timeout: 2000 });
    expect(await bar('enforcedInTime')).toBe('1');
    expect(await bar('rejected')).toBe('1');
    expect(await bar('pending')).toBe('1');
    expect(await page.locator(`[data-row="${platform} ${month}"] rect[data-series="late"]`).count()).toBe(0);
    const row = await page.locator(`[data-testid="compliance-table"] tr[data-platform="${platform}"]`).innerText();
    expect(row.split('\t').slice(0, 6)).toEqual([`Test platform ${platform}`, month, '3', '1', '0', '1']);
    await expectFrench(page, 'compliance');
    await expectAccessible(page);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFplatform,month,delivered,enforced_in_time,enforced_late,unanswered_late,rejected,pending,median_seconds,p90_seconds',
    );
    expect(csv).toContain(`${platform},${month},3,1,0,0,1,1,`);
  });

  it('lets an operator manage organisations, keys, people and platforms, and reach the queue dashboard', async () => {
    const push = await world.pushPlatform();
    const page = await signedInPage(operator);
    await page.waitForSelector('[data-testid="organisations"]');
    const name = `Parquet de Lyon ${unique}`;
    await fill(page, '#org-name', name);
    await fill(page, '#org-role', 'authority');
    await page.click('form[aria-label="Nouvelle organisation"] button[type="submit"]');
    await page.waitForSelector('[data-testid="organisation-panel"]');
    expect(await text(page, '#org-title')).toContain(name);

    // A key, shown once, that works at once.
    await fill(page, '#key-name', 'Intégration greffe');
    await page.click('form[aria-label="Nouvelle clé d’API"] button[type="submit"]');
    const key = (await text(page, '[data-testid="new-key"] .ost-mono')).trim();
    expect(key).toMatch(/^ost_[A-Za-z0-9_-]{43}$/);
    expect((await world.api.request({ method: 'GET', url: '/v1/orders', key })).status).toBe(200);

    // A person invited, then removed after a confirmation.
    const clerkOfLyon = `greffe.${unique}@lyon.example.fr`;
    await fill(page, '#person-email', clerkOfLyon);
    await page.click('form[aria-label="Inviter"] button[type="submit"]');
    await page.waitForFunction((e) => document.querySelector('[data-testid="people"]')?.textContent?.includes(e), clerkOfLyon);
    // Confirmed in the DSFR modal (test/console-shell.e2e-spec.ts checks it closely).
    await page.locator('[data-testid="people"] li', { hasText: clerkOfLyon }).locator('button[aria-controls]').first().click();
    await page.locator('dialog[open] [data-testid="confirm"]').click();
    await page.waitForFunction(
      (e) => /retirée/.test(document.querySelector('[data-testid="people"]')?.textContent ?? '') && !!e,
      clerkOfLyon,
    );
    await expectFrench(page, 'admin, a person removed');
    await expectAccessible(page);

    // The push platform's webhook secret renewed: the new one shown once, both sign for a day.
    await page
      .locator(`form[aria-label="${`Test platform ${push.id}`}"] button`, { hasText: 'Renouveler' })
      .first()
      .click();
    await page.locator('dialog[open] [data-testid="confirm"]').click();
    await page.waitForFunction(() => /whsec_/.test(document.querySelector('[data-testid="new-webhook-secret"]')?.textContent ?? ''));
    const rotations = await world.api.dataSource.query(
      `SELECT actor FROM audit_events WHERE type = 'platform.webhook_secret_rotated' AND platform_id = $1`,
      [push.id],
    );
    expect(rotations).toHaveLength(1);
    expect(rotations[0].actor).toMatch(/^person:/);

    // The queue dashboard, with the operator's session.
    const dashboard = await page.goto(`${base}/admin/queues`);
    expect(dashboard?.status()).toBe(200);
  });
});
