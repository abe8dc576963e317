import { type FormEvent, useMemo, useRef, useState } from 'react';
import { ApiError, type Order, api } from '../api';
import { format, messages as t } from '../i18n';
import { navigate } from '../router';
import { Problem, useLoad } from '../ui';
import {
  COURT_REFERENCE,
  LAW_IN_FORCE,
  LEGAL_BASES,
  type LegalBasis,
  looksLikeEmail,
  looksLikePhone,
  maxDurationDays,
  maxDurationMonths,
  parisToday,
} from './rules';

interface PlatformRow {
  platform: string;
  accountId: string;
  handle: string;
}

type Fields = {
  courtReference: string;
  court: string;
  decisionDate: string;
  legalBasis: LegalBasis;
  offence: string;
  repeatOffender: boolean;
  startsAt: string;
  durationDays: string;
  email: string;
  phone: string;
  givenName: string;
  familyName: string;
  birthDate: string;
};

const EMPTY: Fields = {
  courtReference: '',
  court: '',
  decisionDate: '',
  legalBasis: 'conviction',
  offence: '',
  repeatOffender: false,
  startsAt: '',
  durationDays: '180',
  email: '',
  phone: '',
  givenName: '',
  familyName: '',
  birthDate: '',
};

/** Checks what can be checked here; the keys are form fields (and `platforms.N.accountId`). */
function localErrors(f: Fields, platforms: PlatformRow[]): Record<string, string> {
  const e: Record<string, string> = {};
  const err = t.form.errors;
  if (!f.courtReference.trim()) e.courtReference = err.required;
  else if (!COURT_REFERENCE.test(f.courtReference)) e.courtReference = err.courtReference;
  if (!f.court.trim()) e.court = err.required;
  if (!f.offence) e.offence = err.required;
  if (!f.decisionDate) e.decisionDate = err.required;
  else if (f.decisionDate > parisToday()) e.decisionDate = err.future;
  else if (f.decisionDate < LAW_IN_FORCE) e.decisionDate = err.beforeLaw;
  const start = f.startsAt ? new Date(f.startsAt) : new Date();
  if (f.startsAt && f.decisionDate && f.startsAt.slice(0, 10) < f.decisionDate) e.startsAt = err.startBeforeDecision;
  const days = Number(f.durationDays);
  const limit = maxDurationDays(start, f.legalBasis, f.repeatOffender);
  if (!f.durationDays) e.durationDays = err.required;
  else if (!Number.isInteger(days) || days < 1) e.durationDays = err.notPositive;
  else if (days > limit) e.durationDays = format(err.tooLong, { months: maxDurationMonths(f.legalBasis, f.repeatOffender), days: limit });
  if (f.email && !looksLikeEmail(f.email)) e.email = err.email;
  if (f.phone && !looksLikePhone(f.phone)) e.phone = err.phone;
  const name = [f.givenName, f.familyName, f.birthDate].filter((v) => v.trim());
  if (name.length > 0 && name.length < 3) e.givenName = err.incompleteName;
  platforms.forEach((p, i) => {
    if (!p.platform) e[`platforms.${i}.platform`] = err.required;
    if (!p.accountId.trim()) e[`platforms.${i}.accountId`] = err.required;
  });
  return e;
}

/**
 * A new ban order. Checks as the person types what can be checked here, sends the raw identity
 * values once (never stored in the browser), with one Idempotency-Key per form: a double click or a
 * retry never makes two orders. The API's problem+json errors land on their fields (errors[].path).
 */
export function NewOrderPage() {
  const offences = useLoad(() => api<{ items: { code: string; label: string }[] }>('/v1/offences'), []);
  const platformList = useLoad(() => api<{ items: { id: string; name: string }[] }>('/v1/platforms'), []);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [platforms, setPlatforms] = useState<PlatformRow[]>([{ platform: '', accountId: '', handle: '' }]);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>(undefined);
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const problemRef = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const errors = useMemo(() => localErrors(fields, platforms), [fields, platforms]);

  const set = <K extends keyof Fields>(name: K, value: Fields[K]) => {
    setFields((f) => ({ ...f, [name]: value }));
    setTouched((s) => new Set(s).add(name));
    setServerErrors((s) => ({ ...s, [name]: '' }));
  };
  const errorOf = (name: string) => serverErrors[name] || (touched.has(name) ? errors[name] : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set([...Object.keys(EMPTY), ...platforms.flatMap((_, i) => [`platforms.${i}.platform`, `platforms.${i}.accountId`])]));
    if (Object.keys(errors).length > 0) return;
    // The signals sent, and which field each index stands for (to put the API's errors back on them).
    const signals: unknown[] = [];
    const signalField: string[] = [];
    const add = (field: string, signal: unknown) => {
      signals.push(signal);
      signalField.push(field);
    };
    if (fields.email.trim()) add('email', { type: 'email', value: fields.email.trim() });
    if (fields.phone.trim()) add('phone', { type: 'phone', value: fields.phone.trim(), country: 'FR' });
    if (fields.givenName.trim()) {
      add('givenName', {
        type: 'name_dob',
        value: { givenName: fields.givenName.trim(), familyName: fields.familyName.trim(), birthDate: fields.birthDate },
      });
    }
    if (signals.length === 0) {
      setProblem(new Error(t.form.atLeastOneSignal));
      return;
    }
    const body = {
      courtReference: fields.courtReference.trim(),
      court: fields.court.trim(),
      decisionDate: fields.decisionDate,
      legalBasis: fields.legalBasis,
      offence: fields.offence,
      repeatOffender: fields.repeatOffender,
      ...(fields.startsAt ? { startsAt: new Date(fields.startsAt).toISOString() } : {}),
      durationDays: Number(fields.durationDays),
      subject: { signals },
      platforms: platforms.map((p) => ({
        platform: p.platform,
        accounts: [{ accountId: p.accountId.trim(), ...(p.handle.trim() ? { handle: p.handle.trim() } : {}) }],
      })),
    };
    setBusy(true);
    setProblem(undefined);
    setUnplaced([]);
    try {
      const order = await api<Order>('/v1/orders', { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } });
      // The raw values leave the page with it: nothing of them is kept.
      setFields(EMPTY);
      navigate(`/orders/${order.id}`);
    } catch (error) {
      setProblem(error);
      if (error instanceof ApiError) {
        const byField: Record<string, string> = {};
        const elsewhere: string[] = [];
        for (const { path, message } of error.errors) {
          const signal = /^subject\.signals\[(\d+)\]/.exec(path);
          const platform = /^platforms\[(\d+)\](\.platform)?/.exec(path);
          const field = signal
            ? signalField[Number(signal[1])]
            : platform
              ? `platforms.${platform[1]}.${platform[2] ? 'platform' : 'accountId'}`
              : path.split('.')[0];
          // An error on a field the form shows lands on it; any other is listed under the alert.
          if (field && (field in EMPTY || field.startsWith('platforms.'))) byField[field] = `${error.detail} — ${message}`;
          else elsewhere.push(`${path || t.form.wholeOrder} : ${message}`);
        }
        setServerErrors(byField);
        setUnplaced(elsewhere);
      }
      // Said where the person is: the alert takes the focus (and a screen reader reads it).
      requestAnimationFrame(() => problemRef.current?.focus());
    } finally {
      setBusy(false);
    }
  };

  const input = (name: keyof Fields, label: string, props: Record<string, unknown> = {}, hint?: string) => {
    const error = errorOf(name);
    return (
      <div className={`fr-input-group${error ? ' fr-input-group--error' : ''}`}>
        <label className="fr-label" htmlFor={`f-${name}`}>
          {label}
          {hint && <span className="fr-hint-text">{hint}</span>}
        </label>
        <input
          className={`fr-input${error ? ' fr-input--error' : ''}`}
          id={`f-${name}`}
          name={name}
          value={String(fields[name])}
          onChange={(e) => set(name, e.target.value as never)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `f-${name}-error` : undefined}
          autoComplete="off"
          {...props}
        />
        {error && (
          <p className="fr-error-text" id={`f-${name}-error`}>
            {error}
          </p>
        )}
      </div>
    );
  };

  const months = maxDurationMonths(fields.legalBasis, fields.repeatOffender);
  return (
    <>
      <h1>{t.form.title}</h1>
      <p>{t.form.intro}</p>
      <div ref={problemRef} tabIndex={-1} aria-live="assertive">
        {problem !== undefined && <Problem error={problem} />}
        {unplaced.length > 0 && (
          <ul className="fr-error-text" data-testid="unplaced-errors">
            {unplaced.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="new-order">
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.decision}</legend>
          <div className="fr-fieldset__element">{input('courtReference', t.form.courtReference, {}, t.form.courtReferenceHint)}</div>
          <div className="fr-fieldset__element">{input('court', t.form.court)}</div>
          <div className="fr-fieldset__element">{input('decisionDate', t.form.decisionDate, { type: 'date', max: parisToday() })}</div>
          <div className="fr-fieldset__element fr-select-group">
            <label className="fr-label" htmlFor="f-legalBasis">
              {t.form.legalBasis}
            </label>
            <select
              className="fr-select"
              id="f-legalBasis"
              value={fields.legalBasis}
              onChange={(e) => set('legalBasis', e.target.value as LegalBasis)}
            >
              {LEGAL_BASES.map((b) => (
                <option key={b} value={b}>
                  {t.legalBasis[b]}
                </option>
              ))}
            </select>
          </div>
          <div className={`fr-fieldset__element fr-select-group${errorOf('offence') ? ' fr-select-group--error' : ''}`}>
            <label className="fr-label" htmlFor="f-offence">
              {t.form.offence}
            </label>
            <select className="fr-select" id="f-offence" value={fields.offence} onChange={(e) => set('offence', e.target.value)}>
              <option value="">—</option>
              {offences.value?.items.map((o) => (
                <option key={o.code} value={o.code}>
                  {o.label}
                </option>
              ))}
            </select>
            {errorOf('offence') && <p className="fr-error-text">{errorOf('offence')}</p>}
          </div>
          <div className="fr-fieldset__element fr-checkbox-group">
            <input
              type="checkbox"
              id="f-repeatOffender"
              checked={fields.repeatOffender}
              onChange={(e) => set('repeatOffender', e.target.checked)}
            />
            <label className="fr-label" htmlFor="f-repeatOffender">
              {t.form.repeatOffender}
            </label>
          </div>
          <div className="fr-fieldset__element">{input('startsAt', t.form.startsAt, { type: 'datetime-local' }, t.form.startsAtHint)}</div>
          <div className="fr-fieldset__element">
            {input(
              'durationDays',
              t.form.durationDays,
              { type: 'number', min: 1, inputMode: 'numeric' },
              format(t.form.durationHint, { months }),
            )}
          </div>
        </fieldset>

        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.subject}</legend>
          <div className="fr-fieldset__element">{input('email', t.form.email, { type: 'email' })}</div>
          <div className="fr-fieldset__element">{input('phone', t.form.phone, { type: 'tel' })}</div>
          <div className="fr-fieldset__element">{input('givenName', t.form.givenName, {}, t.form.nameHint)}</div>
          <div className="fr-fieldset__element">{input('familyName', t.form.familyName)}</div>
          <div className="fr-fieldset__element">{input('birthDate', t.form.birthDate, { type: 'date' })}</div>
        </fieldset>

        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.platforms}</legend>
          {platforms.map((p, i) => {
            const update = (patch: Partial<PlatformRow>) => {
              setPlatforms((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
              setTouched((s) => new Set(s).add(`platforms.${i}.${Object.keys(patch)[0]}`));
              setServerErrors((s) => ({ ...s, [`platforms.${i}.accountId`]: '' }));
            };
            const platformError = errorOf(`platforms.${i}.platform`);
            const accountError = errorOf(`platforms.${i}.accountId`);
            return (
              <div className="fr-fieldset__element fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" key={i}>
                <div className={`fr-col-12 fr-col-md-4 fr-select-group${platformError ? ' fr-select-group--error' : ''}`}>
                  <label className="fr-label" htmlFor={`f-platform-${i}`}>
                    {t.form.platform}
                  </label>
                  <select
                    className="fr-select"
                    id={`f-platform-${i}`}
                    value={p.platform}
                    onChange={(e) => update({ platform: e.target.value })}
                  >
                    <option value="">—</option>
                    {platformList.value?.items.map((pl) => (
                      <option key={pl.id} value={pl.id}>
                        {pl.name}
                      </option>
                    ))}
                  </select>
                  {platformError && <p className="fr-error-text">{platformError}</p>}
                </div>
                <div className={`fr-col-12 fr-col-md-3 fr-input-group${accountError ? ' fr-input-group--error' : ''}`}>
                  <label className="fr-label" htmlFor={`f-account-${i}`}>
                    {t.form.accountId}
                  </label>
                  <input
                    className="fr-input"
                    id={`f-account-${i}`}
                    value={p.accountId}
                    onChange={(e) => update({ accountId: e.target.value })}
                    aria-invalid={accountError ? true : undefined}
                    autoComplete="off"
                  />
                  {accountError && <p className="fr-error-text">{accountError}</p>}
                </div>
                <div className="fr-col-12 fr-col-md-3 fr-input-group">
                  <label className="fr-label" htmlFor={`f-handle-${i}`}>
                    {t.form.handle}
                  </label>
                  <input
                    className="fr-input"
                    id={`f-handle-${i}`}
                    value={p.handle}
                    onChange={(e) => update({ handle: e.target.value })}
                    autoComplete="off"
                  />
                </div>
                {platforms.length > 1 && (
                  <div className="fr-col-12 fr-col-md-2">
                    <button
                      className="fr-btn fr-btn--tertiary"
                      type="button"
                      onClick={() => setPlatforms((rows) => rows.filter((_, j) => j !== i))}
                    >
                      {t.form.removePlatform}
                    </button>
                  </div>
                )}
              </div>
            );
          })}
          <div className="fr-fieldset__element">
            <button
              className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left"
              type="button"
              onClick={() => setPlatforms((rows) => [...rows, { platform: '', accountId: '', handle: '' }])}
            >
              {t.form.addPlatform}
            </button>
          </div>
        </fieldset>
        {Object.keys(errors).length > 0 && touched.size > 0 && <p className="fr-error-text">{t.form.fix}</p>}
        <button className="fr-btn fr-mt-2w" type="submit" disabled={busy}>
          {busy ? t.form.submitting : t.form.submit}
        </button>
      </form>
    </>
  );
}
