/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

/** Debian's chromium (scripts/services.sh ensure_chromium installs it); CHROMIUM_PATH elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container there is no user namespace for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=fr-FR'],
  });
}

/** Sets a form control's value as a person typing would, so that React sees the change. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  const control = page.locator(selector);
  if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
  else await control.fill(value);
}

/** Signs in through the local provider's login form, from wherever the console sent the browser. */
export async function signInThroughProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is: the violations of impact serious or critical. */
export async function seriousAccessibilityViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: the page's own CSP (no inline script) stays in force.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<any> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** With SCREENSHOTS=1, saves the page as docs/console/<name>.png (what docs/console.md shows). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const file = join(__dirname, '..', '..', 'docs', 'console', `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}
