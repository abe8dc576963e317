import { type DependencyList, type ReactNode, useEffect, useState } from 'react';
import { ApiError, problemText } from './api';
import { messages as t } from './i18n';

/** Loads something for a page; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

export function messageOf(error: unknown): string {
  // French, by the problem's code (api.ts problemText): never the English `detail`.
  if (error instanceof ApiError) return problemText(error);
  return error instanceof Error ? error.message : String(error);
}

export function Problem({ error }: { error: unknown }) {
  return (
    <div className="fr-alert fr-alert--error fr-mb-3w" role="alert">
      <h3 className="fr-alert__title">{t.common.error}</h3>
      <p>{messageOf(error)}</p>
    </div>
  );
}

/**
 * What a page shows of what it loads (useLoad): the problem, if any; "Chargement…" while it loads
 * (what was there stays meanwhile); then `empty` when `isEmpty` says there is nothing, or the value.
 */
export function Loaded<T>({
  state,
  empty,
  isEmpty,
  children,
}: {
  state: { value?: T; error?: unknown; loading: boolean };
  empty?: string;
  isEmpty?: (value: T) => boolean;
  children: (value: T) => ReactNode;
}) {
  return (
    <>
      {state.error !== undefined && <Problem error={state.error} />}
      {state.loading && <p>{t.common.loading}</p>}
      {state.value !== undefined && (empty !== undefined && isEmpty?.(state.value) ? <p>{empty}</p> : children(state.value))}
    </>
  );
}

/** A DSFR badge for a status, with a colour that never carries the meaning alone (the text does). */
export function Badge({ text, tone }: { text: string; tone: 'success' | 'error' | 'info' | 'warning' | 'new' }) {
  return <p className={`fr-badge fr-badge--sm fr-badge--${tone}`}>{text}</p>;
}

/** A DSFR table: scrolls sideways when too wide, and then takes the keyboard focus to do so. */
export function Table({
  caption,
  testId,
  hideCaption,
  children,
}: {
  caption: string;
  testId: string;
  hideCaption?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`fr-table${hideCaption ? ' fr-table--no-caption' : ''}`}>
      <div className="fr-table__wrapper">
        <div className="fr-table__container" tabIndex={0}>
          <div className="fr-table__content">
            <table data-testid={testId}>
              <caption>{caption}</caption>
              {children}
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}

/** Keyset paging: back to the first page, on to the next (there is no "previous" with cursors). */
export function Pager({ first, next }: { first?: () => void; next?: () => void }) {
  return (
    <ul className="fr-btns-group fr-btns-group--inline">
      {first && (
        <li>
          <button className="fr-btn fr-btn--secondary" type="button" onClick={first}>
            {t.common.first}
          </button>
        </li>
      )}
      {next && (
        <li>
          <button className="fr-btn fr-btn--secondary" type="button" onClick={next}>
            {t.common.next}
          </button>
        </li>
      )}
    </ul>
  );
}
