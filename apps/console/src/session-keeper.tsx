import { useEffect, useRef, useState } from 'react';
import { type Caller, client, onSessionEvent, useCsrfToken } from './api';
import { dsfr } from './dsfr';
import { format, messages as t } from './i18n';
import { Modal } from './ui';

const WARN_ID = 'modal-idle-warning';
const ENDED_ID = 'modal-session-ended';

type State = 'live' | 'warning' | 'ended';

/** "4 min", "45 s": what is left before the idle expiry. */
function left(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 120 ? format(t.idle.minutes, { n: Math.ceil(s / 60) }) : format(t.idle.seconds, { n: s });
}

/**
 * The session's idle expiry (SESSION_IDLE_MINUTES, docs/people.md § Sessions), as a person at a
 * long form lives it:
 * - activity on the page (typing, clicking) keeps the session: a cheap GET /v1/session, at most
 *   once per `touchSeconds` (the server records a use no more often);
 * - with no activity, a DSFR modal warns before the deadline, with "Rester connecté";
 * - once it has ended (a 401 from any call, or the deadline passed), a modal offers to sign in
 *   again in a new tab, then to resume here: the page, and what was typed in it, stay in memory
 *   (never in the browser's storage); the new session's CSRF token is read on resuming.
 * The deadline it counts from is the last answer of the API, less `touchSeconds`: the server's own
 * is never earlier.
 */
export function SessionKeeper({ caller, onOtherPerson }: { caller: Caller; onOtherPerson: () => void }) {
  const idleMs = (caller.idleTimeoutSeconds ?? 0) * 1000;
  const touchMs = (caller.touchSeconds ?? 60) * 1000;
  const lastUse = useRef(Date.now());
  const [state, setState] = useState<State>('live');
  const [now, setNow] = useState(Date.now());
  const [stillOut, setStillOut] = useState(false);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(
    () =>
      onSessionEvent((event) => {
        if (event === 'ended') setState('ended');
        else if (stateRef.current !== 'ended') {
          lastUse.current = Date.now();
          setState('live');
        }
      }),
    [],
  );

  // Activity on the page keeps the session, as a request would.
  useEffect(() => {
    if (!idleMs) return;
    const active = () => {
      if (stateRef.current !== 'live' || Date.now() - lastUse.current < touchMs) return;
      lastUse.current = Date.now();
      void client.GET('/v1/session');
    };
    const events = ['keydown', 'pointerdown', 'input'] as const;
    for (const e of events) window.addEventListener(e, active, { passive: true });
    return () => {
      for (const e of events) window.removeEventListener(e, active);
    };
  }, [idleMs, touchMs]);

  const deadline = lastUse.current + idleMs - touchMs;
  const warnBefore = Math.min(120_000, idleMs / 3);
  useEffect(() => {
    if (!idleMs) return;
    const timer = setInterval(() => {
      const at = Date.now();
      setNow(at);
      const end = lastUse.current + idleMs - touchMs;
      if (stateRef.current === 'live' && at >= end - warnBefore) setState('warning');
      if (stateRef.current === 'warning' && at >= end) setState('ended');
    }, 1000);
    return () => clearInterval(timer);
  }, [idleMs, touchMs, warnBefore]);

  // The DSFR's script opens and closes the modals (focus kept inside, given back on closing).
  useEffect(() => {
    const modal = (id: string, open: boolean) => {
      const el = document.getElementById(id);
      const api = el ? dsfr()?.(el).modal : undefined;
      if (open) api?.disclose?.();
      else api?.conceal?.();
    };
    modal(WARN_ID, state === 'warning');
    modal(ENDED_ID, state === 'ended');
  }, [state]);

  const stay = () => {
    void client.GET('/v1/session');
  };

  const resume = async () => {
    const { data, response } = await client.GET('/v1/session');
    if (!response.ok || !data) {
      setStillOut(true);
      setState('ended');
      return;
    }
    if (data.id !== caller.id) {
      onOtherPerson();
      return;
    }
    useCsrfToken(data.csrfToken);
    lastUse.current = Date.now();
    setStillOut(false);
    setState('live');
  };

  return (
    <>
      <Modal
        id={WARN_ID}
        title={t.idle.warnTitle}
        testId="idle-warning"
        buttons={
          <ul className="fr-btns-group fr-btns-group--right fr-btns-group--inline-lg">
            <li>
              <button className="fr-btn" type="button" aria-controls={WARN_ID} onClick={stay} data-testid="stay-signed-in">
                {t.idle.stay}
              </button>
            </li>
          </ul>
        }
      >
        <p>{format(t.idle.warn, { time: left(deadline - now) })}</p>
      </Modal>
      <Modal
        id={ENDED_ID}
        title={t.idle.expiredTitle}
        testId="session-ended"
        buttons={
          <ul className="fr-btns-group fr-btns-group--right fr-btns-group--inline-lg">
            <li>
              <a
                className="fr-btn fr-btn--secondary"
                href="/auth/sign-in?returnTo=%2Fauth%2Fsigned-in"
                target="_blank"
                rel="noopener"
                title={t.idle.signInNewTabTitle}
                data-testid="sign-in-new-tab"
              >
                {t.idle.signInNewTab}
              </a>
            </li>
            <li>
              <button className="fr-btn" type="button" onClick={() => void resume()} data-testid="resume">
                {t.idle.resume}
              </button>
            </li>
          </ul>
        }
      >
        <p>{t.idle.expired}</p>
        {stillOut && (
          <p className="fr-message fr-message--error" role="alert">
            {t.idle.stillSignedOut}
          </p>
        )}
      </Modal>
    </>
  );
}
