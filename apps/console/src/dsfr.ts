/**
 * The State design system's script (@gouvfr/dsfr): the header's menu on a phone, modals (focus
 * kept inside, Escape, focus given back), tables. It is bundled with the console, so the page
 * loads it from the site itself (script-src 'self', no inline script).
 *
 * Its settings are read when its module runs, so they are set here, in a module imported before
 * it: in "react" mode it never rewrites the DOM React owns (it would copy the header's tools into
 * the menu by innerHTML, losing React's handlers: app.tsx renders both), and it starts when
 * startDsfr() says, after React's first render. From then on a MutationObserver picks up what
 * React adds (a modal, a header rendered once the session is known).
 */
type Dsfr = ((node: Element) => Record<string, { disclose?: () => void; conceal?: () => void } | undefined>) & {
  start: () => void;
};

(window as unknown as { dsfr: unknown }).dsfr = { mode: 'react', production: true };

export function dsfr(): Dsfr | undefined {
  const api = (window as unknown as { dsfr: unknown }).dsfr;
  return typeof api === 'function' ? (api as Dsfr) : undefined;
}

/** Starts the design system's script, once (StrictMode renders twice). */
let started = false;
export function startDsfr(): void {
  if (started) return;
  started = true;
  dsfr()?.start();
}
