import { type DependencyList, type ReactNode, useEffect, useId, useState } from 'react';
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
 * Something is loading. The DSFR has no spinner: a region marked busy (aria-busy), grey lines
 * standing for the text to come, and the words for screen readers ("Chargement en cours"), said
 * politely. The same on every page.
 */
export function Loading({ label = t.common.loading }: { label?: string }) {
  return (
    <div className="ost-loading" role="status" aria-busy="true" data-testid="loading">
      <span className="fr-sr-only">{label}</span>
      <span className="ost-loading__line" aria-hidden="true" />
      <span className="ost-loading__line" aria-hidden="true" />
      <span className="ost-loading__line ost-loading__line--short" aria-hidden="true" />
    </div>
  );
}

/**
 * What a page shows of what it loads (useLoad): the problem, if any; <Loading /> while it loads
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
      {state.loading && <Loading />}
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

/**
 * A question before an action that cannot be undone, as the DSFR's modal (fr-modal): the button
 * that opens it, then the dialog. DSFR's script (dsfr.ts) opens and closes it, keeps the focus
 * inside while it is open, closes it on Escape and gives the focus back to the button. Confirming
 * closes it too (its button controls the modal) and runs `onConfirm`.
 */
export function ConfirmButton({
  label,
  srLabel,
  className = 'fr-btn fr-btn--sm fr-btn--tertiary',
  disabled,
  title,
  children,
  confirmLabel = t.common.confirm,
  onConfirm,
  testId,
}: {
  label: string;
  /** Said after `label` to screen readers only (which key, which person). */
  srLabel?: string;
  className?: string;
  disabled?: boolean;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
  testId?: string;
}) {
  const id = `confirm-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  return (
    <>
      <button className={className} type="button" aria-controls={id} data-fr-opened="false" disabled={disabled} data-testid={testId}>
        {label}
        {srLabel && <span className="fr-sr-only"> {srLabel}</span>}
      </button>
      <ConfirmModal id={id} title={title} confirmLabel={confirmLabel} onConfirm={onConfirm}>
        {children}
      </ConfirmModal>
    </>
  );
}

/**
 * The State design system's modal (`fr-modal`): a dialog with its close button, title, content and
 * buttons; DSFR's script opens and closes it (a button with `aria-controls={id}`), traps the focus
 * and gives it back.
 */
export function Modal({
  id,
  title,
  testId,
  buttons,
  children,
}: {
  id: string;
  title: string;
  testId: string;
  buttons: ReactNode;
  children: ReactNode;
}) {
  return (
    <dialog aria-labelledby={`${id}-title`} id={id} className="fr-modal" data-testid={testId}>
      <div className="fr-container fr-container--fluid fr-container-md">
        <div className="fr-grid-row fr-grid-row--center">
          <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
            <div className="fr-modal__body">
              <div className="fr-modal__header">
                <button className="fr-btn--close fr-btn" type="button" title={t.common.closeDialog} aria-controls={id}>
                  {t.menu.close}
                </button>
              </div>
              <div className="fr-modal__content">
                <h2 id={`${id}-title`} className="fr-modal__title">
                  {title}
                </h2>
                {children}
              </div>
              <div className="fr-modal__footer">{buttons}</div>
            </div>
          </div>
        </div>
      </div>
    </dialog>
  );
}

/** The dialog of ConfirmButton, for a page whose own button opens it (`aria-controls={id}` and `data-fr-opened="false"`). */
export function ConfirmModal({
  id,
  title,
  children,
  confirmLabel = t.common.confirm,
  onConfirm,
}: {
  id: string;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
}) {
  return (
    <Modal
      id={id}
      title={title}
      testId="confirm-modal"
      buttons={
        <ul className="fr-btns-group fr-btns-group--right fr-btns-group--inline-reverse fr-btns-group--inline-lg">
          <li>
            <button className="fr-btn" type="button" aria-controls={id} onClick={onConfirm} data-testid="confirm">
              {confirmLabel}
            </button>
          </li>
          <li>
            <button className="fr-btn fr-btn--secondary" type="button" aria-controls={id}>
              {t.common.cancel}
            </button>
          </li>
        </ul>
      }
    >
      {children}
    </Modal>
  );
}

/**
 * Copies a value shown once (a key, a secret) to the clipboard, and says so where a screen
 * reader hears it (a status message) and where the eye sees it.
 */
export function CopyButton({ value, what, testId }: { value: string; what: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  return (
    <div className="fr-mb-2w">
      <button
        className="fr-btn fr-btn--sm fr-btn--secondary fr-icon-clipboard-line fr-btn--icon-left"
        type="button"
        onClick={() => void copy()}
        data-testid={testId}
      >
        {t.common.copy}
        <span className="fr-sr-only"> {what}</span>
      </button>
      <p className={`fr-message fr-message--${state === 'failed' ? 'error' : 'valid'}`} role="status">
        {state === 'copied' ? t.common.copied : state === 'failed' ? t.common.copyFailed : ''}
      </p>
    </div>
  );
}
