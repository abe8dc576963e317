/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ed25519Key } from '@ostracon/audit';
import { ClientsService, OrganisationsService, PeopleService } from '@ostracon/auth';
import { loadConfig } from '@ostracon/config';
import { verifierKey, verifyEvidence } from '@ostracon/platform-sdk/transparency';
import { ScreeningIndexService } from '@ostracon/screening';
import type { Browser, Page } from 'playwright-core';
import { RAW, orderBody } from './support/builders';
import {
  collectProblems,
  expectFrench,
  noHorizontalOverflow,
  screenshot,
  seriousAccessibilityViolations,
  signInThroughProvider,
} from './support/chromium';
import { startConsoleWorld } from './support/console-world';
import { waitFor } from './support/isolated';
import { InProcessWitness } from './support/witness';
import type { World } from './support/world';

/**
 * The order page's evidence files in a real browser: a clerk downloads the JSON and the PDF of a
 * confirmed attempt, and the JSON verifies with the SDK's verifier (docs/auditing.md § Evidence file).
 */
jest.setTimeout(120_000);

describe('the evidence files on the order page', () => {
  let world: World;
  let browser: Browser;
  let base: string;
  const unique = randomBytes(3).toString('hex');
  const clerk = `greffe.${unique}@tj-paris.example.fr`;
  const witness = new InProcessWitness('witness.test/cnil');
  let logKey: string;

  beforeAll(async () => {
    const logConfig = loadConfig().audit;
    logKey = verifierKey(logConfig.origin, ed25519Key(logConfig.signingKeys[0]!.key).publicKey);
    await witness.start(logKey);
    ({ world, base, browser } = await startConsoleWorld('console-evidence', {
      worker: {},
      fastLog: true,
      config: (c) => ({
        ...c,
        audit: { ...c.audit, witnesses: [{ name: witness.name, vkey: witness.verifierKey, url: witness.url }], witnessQuorum: 1 },
      }),
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    await witness.stop();
  });

  /** A platform's answer on a match, through its route (which logs `signup_match.reviewed`). */
  async function logPlatformReview(platformKey: string, matchId: string, outcome: string) {
    const res = await world.api.request({
      method: 'POST',
      url: `/v1/signup-matches/${matchId}/review`,
      key: platformKey,
      body: { outcome },
    });
    expect(res.status).toBe(200);
  }

  async function clerkPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await signInThroughProvider(page, clerk);
    await page.waitForSelector('[data-testid="who"]');
    // From the signed-in console on (the provider's page and the signed-out session check are not the console's).
    const problems = collectProblems(page);
    return { page, problems };
  }

  it('offers, for each confirmed attempt, the JSON that verifies offline and the PDF for the case file', async () => {
    // The clerk's court, an API key of the same court that registers the order, a platform.
    const court = await world.api.app.get(OrganisationsService).create({ name: `Tribunal de Paris ${unique}`, role: 'authority' }, 'cli');
    await world.api.app.get(PeopleService).invite({ email: clerk, organisation: court.id }, 'cli');
    const courtKey = await world.api.app.get(ClientsService).create({ name: 'greffe', organisation: court.id }, 'cli');
    const platform = await world.api.platform('evid');
    const platformClient = await world.api.client('platform', platform);
    const created = await world.api.request({
      method: 'POST',
      url: '/v1/orders',
      key: courtKey.apiKey,
      body: orderBody(platform),
      headers: { 'idempotency-key': `evidence-${unique}` },
    });
    expect(created.status).toBe(201);
    const orderId: string = created.body.id;
    await waitFor(() => world.api.app.get(ScreeningIndexService).current?.has(orderId), 'the order in the index');
    // Two attempts: one the platform confirms, one it says is someone else.
    const check = () =>
      world.api.request({
        method: 'POST',
        url: '/v1/signup-checks',
        key: platformClient.apiKey,
        body: { signals: [{ type: 'email', value: RAW.email }] },
      });
    const confirmed: string = (await check()).body.matchId;
    const other: string = (await check()).body.matchId;
    await logPlatformReview(platformClient.apiKey, confirmed, 'confirmed');
    await logPlatformReview(platformClient.apiKey, other, 'not_same_person');
    // Witnessed: the route answers the file.
    await waitFor(
      async () =>
        (await world.api.request({ method: 'GET', url: `/v1/orders/${orderId}/evidence/${confirmed}`, key: courtKey.apiKey })).status ===
        200,
      'the confirmation under a witnessed checkpoint',
    );

    const { page, problems } = await clerkPage();
    await page.goto(`${base}/console/#/orders/${orderId}`);
    await page.waitForSelector(`[data-testid="evidence-${confirmed}"]`);
    // The attempt the platform did not confirm has no evidence file.
    expect(await page.locator(`[data-testid="evidence-${other}"]`).count()).toBe(0);
    expect(await page.locator('[data-testid="evidence"] h2').innerText()).toBe('Fichiers de preuve');

    const save = async (testId: string) => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`[data-testid="evidence-${confirmed}"] [data-testid="${testId}"]`),
      ]);
      return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
    };
    const json = await save('evidence-json');
    expect(json.name).toBe(`preuve-${orderId}-${confirmed}.json`);
    const report = verifyEvidence(json.bytes, { logKey, witnessKeys: [witness.verifierKey], quorum: 1 });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, orderId, matchId: confirmed, checkpoint: { witnessedBy: [witness.name] } });
    const pdf = await save('evidence-pdf');
    expect(pdf.name).toBe(`preuve-${orderId}-${confirmed}.pdf`);
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    for (const [width, height, suffix] of [
      [1280, 900, 'desktop'],
      [375, 740, 'phone'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await expectFrench(page, `order-evidence (${width} px)`);
      expect(await noHorizontalOverflow(page)).toEqual([]);
      await page.locator('[data-testid="evidence"]').scrollIntoViewIfNeeded();
      await screenshot(page, `order-evidence-${suffix}`);
    }
    expect(problems).toEqual([]);
    // Both downloads were recorded, as the clerk.
    const exported = await world.api.dataSource.query(
      `SELECT actor, data->>'format' AS format FROM audit_events WHERE type = 'evidence.exported' AND order_id = $1 ORDER BY seq`,
      [orderId],
    );
    expect(exported.map((e: { format: string }) => e.format)).toEqual(['json', 'json', 'pdf']);
    expect(exported.slice(1).every((e: { actor: string }) => e.actor.startsWith('person:'))).toBe(true);
  });
});
