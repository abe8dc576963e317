/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page, chromium } from 'playwright-core';

/** Debian's chromium (scripts/services.sh ensure_chromium installs it); CHROMIUM_PATH elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container there is no user namespace for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=fr-FR'],
    // The browser's own words (a date field's "jj/mm/aaaa", a month's name) in French, as a person in
    // France reads them: Debian's chromium takes its UI locale from LANGUAGE, with chromium-l10n.
    env: { ...process.env, LANGUAGE: 'fr' },
  });
}

/** Sets a form control's value as a person typing would, so that React sees the change. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  const control = page.locator(selector);
  if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
  else await control.fill(value);
}

/**
 * Signs in through the local provider's login form, from wherever the console sent the browser:
 * from the console's signed-out page, its ProConnect button first.
 */
export async function signInThroughProvider(page: Page, login: string): Promise<void> {
  await page.waitForSelector('[data-testid="proconnect"], input[name="login"]');
  if (await page.locator('[data-testid="proconnect"]').count()) await page.click('[data-testid="proconnect"]');
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
}

type SignedInState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** What each browser's first sign-in per person left: its cookies and storage, by `<base> <login>`. */
const signedInStates = new WeakMap<Browser, Map<string, SignedInState>>();

/**
 * A new window (context) on the console at `base`, signed in as `login`. The first time in this
 * browser it signs in through the provider's login form (signInThroughProvider); after that the
 * window starts with what that sign-in left, as a person opening another window does, which saves
 * the provider's round of pages (1.7–1.9 s each time on a CI machine). A session that has ended
 * since (signed out, expired) is found out and signed in again, in a window of its own.
 *
 * The way in itself is tested where it is the subject (console.e2e-spec, sessions-browser.e2e-spec).
 */
export async function signedInContext(
  browser: Browser,
  base: string,
  login: string,
  options: BrowserContextOptions & { timeout?: number; permissions?: string[] } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const { timeout = 10_000, permissions, ...contextOptions } = options;
  const states = signedInStates.get(browser) ?? new Map<string, SignedInState>();
  signedInStates.set(browser, states);
  const key = `${base} ${login}`;
  const open = async (storageState?: SignedInState) => {
    const context = await browser.newContext({ locale: 'fr-FR', ...contextOptions, storageState });
    if (permissions) await context.grantPermissions(permissions, { origin: base });
    context.setDefaultTimeout(timeout);
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    return { context, page };
  };
  // On a phone the person is in the DSFR menu, closed: present, not visible.
  const who = '[data-testid="who"]';
  const known = states.get(key);
  if (known) {
    const reused = await open(known);
    const shown = await reused.page.waitForSelector(`${who}, [data-testid="proconnect"], input[name="login"]`, {
      state: 'attached',
    });
    if ((await shown.getAttribute('data-testid')) === 'who') return reused;
    await reused.context.close();
    states.delete(key);
  }
  const fresh = await open();
  await signInThroughProvider(fresh.page, login);
  await fresh.page.waitForSelector(who, { state: 'attached' });
  states.set(key, await fresh.context.storageState());
  return fresh;
}

/** axe-core's script, read once. */
let axeSource: string | undefined;

/** axe-core's WCAG 2.1 A/AA rules on the page as it is: the violations of impact serious or critical. */
export async function seriousAccessibilityViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: the page's own CSP (no inline script) stays in force.
  // Once per document: a console page changes by its hash, and axe stays loaded in it.
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.evaluate((axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')));
  return page.evaluate(async () => {
    // The page at rest: a dialog still fading in is judged by its final colours, not half-way
    // (seen in CI: a DSFR modal's buttons reported as low contrast during its opening transition).
    // Endless animations (a spinner) are left running.
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<any> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/**
 * With SCREENSHOTS=1, saves the page as docs/console/<name>.png (what docs/console.md shows): the
 * whole page, or the window alone (`fullPage: false`, for a menu or modal fixed over it).
 */
export async function screenshot(page: Page, name: string, { fullPage = true }: { fullPage?: boolean } = {}): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const file = join(__dirname, '..', '..', 'docs', 'console', `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage });
}

/**
 * What sticks out sideways (WCAG 1.4.10, reflow): [] when the page is no wider than the window
 * (document.documentElement.scrollWidth <= innerWidth); otherwise the widths, then the elements
 * whose right edge passes the window, outermost first, to say which to fix.
 */
export async function noHorizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scroll = document.documentElement.scrollWidth;
    if (scroll <= width) return [];
    const culprits: string[] = [];
    // What an ancestor within the window clips (a table's scrolling container, the header's brand)
    // does not count; an absolutely placed box is clipped only by its positioned ancestors' chain.
    const clipped = (node: Node): boolean => {
      let absolute = node instanceof Element && getComputedStyle(node).position === 'absolute';
      if (node instanceof Element && getComputedStyle(node).position === 'fixed') return true;
      for (let a = node.parentElement; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        const positioned = style.position !== 'static';
        if ((!absolute || positioned) && style.overflowX !== 'visible' && a.getBoundingClientRect().right <= width + 0.5) return true;
        if (positioned) {
          if (style.position === 'fixed') return true;
          absolute = style.position === 'absolute';
        }
      }
      return false;
    };
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5 || clipped(el)) continue;
      // Only the outermost: a child of a culprit says nothing more.
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5 && el.parentElement !== document.body) continue;
      const id = el.id ? `#${el.id}` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      culprits.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(box.right)}`);
      if (culprits.length >= 8) break;
    }
    // Text that runs out of a box that itself fits (a word too long, a line that may not wrap).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node && culprits.length < 12; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !node.textContent?.trim() || parent.getBoundingClientRect().right > width + 0.5) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const right = range.getBoundingClientRect().right;
      if (right > width + 0.5 && !clipped(node))
        culprits.push(
          `text «${node.textContent.trim().slice(0, 40)}» in ${parent.tagName.toLowerCase()}.${parent.className} right=${Math.round(right)}`,
        );
    }
    return [`scrollWidth ${scroll} > innerWidth ${width}`, ...culprits];
  });
}

/**
 * Listens to a page from now on and collects what should never happen: console errors, uncaught
 * exceptions, failed requests and answers >= 400. `expected(url, status)` lets a test name the
 * answers it provokes on purpose (a 404 it asks for, a 409 it tests). Read the array at the end
 * of a step: `expect(problems).toEqual([])`.
 */
export function collectProblems(page: Page, expected: (url: string, status: number) => boolean = () => false): string[] {
  const problems: string[] = [];
  // Chromium also logs each answer >= 400 as a console error "Failed to load resource": judged
  // once, by its answer.
  page.on('response', (response) => {
    const status = response.status();
    if (status < 400) return;
    if (!expected(response.url(), status)) problems.push(`HTTP ${status} ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    // A navigation or a page change abandons what was loading: not a fault of the page.
    if (failure === 'net::ERR_ABORTED') return;
    problems.push(`request failed ${request.method()} ${request.url()}: ${failure}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Its answer is judged above (or was expected).
    if (/^Failed to load resource/.test(message.text())) return;
    problems.push(`console error: ${message.text()}`);
  });
  return problems;
}

/**
 * Words that are English and never French (so a French sentence cannot contain them). "on", "or",
 * "as", "an", "in", "date", "page", "action", "message", "secret", "client", "active", "export",
 * "note", "code", "type", "table", "report", "audit", "signature", "inclusion", "court", "invite",
 * "via"… are French too, and not listed.
 */
export const ENGLISH_WORDS = new Set(
  (
    'the and not with from this that these those your you are was were been being have has had will would should could ' +
    'must can cannot can’t don’t isn’t is of to by for at it its which what when where who why how there their they than ' +
    'then only also all any each every some more most less new old yes please click here back next previous first last ' +
    'order orders ordered error errors failed failure fail loading loaded pending delivered delivery deliver pull push ' +
    'submit submitted cancel cancelled sign signed signin signout login logout found missing invalid required unknown none ' +
    'true false null undefined nan enforced enforcement rejected revoked revoke suspended suspend reinstate reinstated ' +
    'acknowledged expired late overdue deadline platform platforms key keys request requests response timeout retry save ' +
    'saved delete deleted remove removed invited search filter filters download upload settings hide close open success ' +
    'warning unauthorized unauthorised forbidden unavailable offence offense offences harassment identity theft reference ' +
    'judgment judgement person people organization log logs verify verified checkpoint proof proofs consistency tampered ' +
    'witness witnessed month months day days hour hours week weeks year years time today yesterday tomorrow since until ' +
    'before after about without within between per name phone account accounts created updated status state states ' +
    'compliance chart empty nothing something copy copied ' +
    // The offences' English labels and codes (issue 28, point 2).
    'cyberharassment sexual privacy minors child abuse material exposing pornographic revealing personal exposes risk ' +
    'threats persons holding authority incitement apology terrorism hate speech'
  ).split(/\s+/),
);

/**
 * The English words that a person reads on the page (ENGLISH_WORDS, or `words`): its visible
 * text, every option of a visible list, and the texts read aloud or shown on hover (aria-label,
 * title, placeholder, alt); outside code (`code`, `pre`, `kbd`, `samp`), the marque
 * (`.fr-logo`), anything marked `translate="no"` or in another `lang`, and data values: tokens
 * with a digit, `@`, `/`, `:` or `_` (ids, hashes, e-mails, URLs, codes), and whatever matches
 * `except` (names given by the test's fixtures, such
 * as /Test platform \S+/g). `within` narrows the check to what matches a selector (say
 * 'header, footer' for the shell alone). Each as "word — «the text it was found in»".
 */
export async function englishWords(
  page: Page,
  options: { except?: RegExp[]; words?: Iterable<string>; within?: string } = {},
): Promise<string[]> {
  const found = await page.evaluate(
    ({ except, words, within }) => {
      const patterns = except.map(([source, flags]) => new RegExp(source, flags.includes('g') ? flags : `${flags}g`));
      const english = new Set(words);
      const skip = (el: Element | null): boolean => {
        for (let e = el; e; e = e.parentElement) {
          if (e.matches('code, pre, kbd, samp, script, style, noscript, template, .fr-logo, [translate="no"]')) return true;
          const lang = e.getAttribute('lang');
          if (lang) return !/^fr\b/i.test(lang);
        }
        return false;
      };
      const visible = (el: Element): boolean =>
        (el as HTMLElement).checkVisibility?.({ visibilityProperty: true, opacityProperty: false } as never) ?? true;
      const hits: string[] = [];
      const check = (text: string) => {
        let cleaned = text;
        for (const p of patterns) cleaned = cleaned.replace(p, ' ');
        for (const token of cleaned.split(/\s+/)) {
          if (!token || /[0-9@/:_]/.test(token)) continue;
          for (const word of token.split(/[^A-Za-zÀ-ÖØ-öø-ÿ’']+/)) {
            if (word && english.has(word.toLowerCase())) hits.push(`${word} — «${text.trim().slice(0, 120)}»`);
          }
        }
      };
      const roots = within ? Array.from(document.querySelectorAll(within)) : [document.body];
      for (const root of roots) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const parent = node.parentElement;
          if (!parent || !node.textContent?.trim() || skip(parent) || !visible(parent)) continue;
          check(node.textContent);
        }
        // A list's options are read when it opens (checkVisibility says no to each).
        for (const select of Array.from(root.querySelectorAll('select')))
          if (!skip(select) && visible(select)) for (const option of Array.from(select.options)) check(option.text);
        for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
          if (!el.matches('[aria-label], [title], [placeholder], img[alt]') || skip(el) || !visible(el)) continue;
          for (const attribute of ['aria-label', 'title', 'placeholder', 'alt']) {
            const value = el.getAttribute(attribute);
            if (value) check(value);
          }
        }
      }
      return hits;
    },
    {
      except: (options.except ?? []).map((r) => [r.source, r.flags] as [string, string]),
      words: [...(options.words ?? ENGLISH_WORDS)],
      within: options.within ?? null,
    },
  );
  return [...new Set(found)];
}

/**
 * The tests' fixtures' names are data, not the console's words: a platform is "Test platform
 * <id>" (world.api.platform), an organisation of a test key "test authority" and so on.
 */
export const FIXTURE_NAMES = [/Test platform [\w-]+/g, /\btest (authority|auditor|admin|platform)\b/g];

/** The whole page in French (englishWords finds nothing), said with the state's name when not. */
export async function expectFrench(page: Page, state: string, except: RegExp[] = []): Promise<void> {
  const english = await englishWords(page, { except: [...FIXTURE_NAMES, ...except] });
  expect({ state, english }).toEqual({ state, english: [] });
}
