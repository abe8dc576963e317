import { type FormEvent, type ReactNode, useMemo, useRef, useState } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { client, ok } from '../api';
import { Field } from '../field';
import { format, formatDateTime, messages as t } from '../i18n';
import { useOffences } from '../offence-label';
import { navigate } from '../router';
import { Problem, useLoad } from '../ui';
import { useAction } from '../use-action';
import {
  COURT_REFERENCE,
  LAW_IN_FORCE,
  LEGAL_BASES,
  type LegalBasis,
  endOf,
  latestEnd,
  looksLikeEmail,
  looksLikePhone,
  maxDurationMonths,
  parisInstant,
  parisToday,
} from './rules';

type OrderInput = paths['/v1/orders']['post']['requestBody']['content']['application/json'];

interface Account {
  accountId: string;
  handle: string;
}
interface PlatformRow {
  platform: string;
  accounts: Account[];
}

type Fields = {
  courtReference: string;
  court: string;
  decisionDate: string;
  legalBasis: LegalBasis;
  offence: string;
  repeatOffender: boolean;
  startsAt: string;
  durationMonths: string;
  durationDays: string;
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
  durationMonths: '6',
  durationDays: '',
  givenName: '',
  familyName: '',
  birthDate: '',
};

const NEW_PLATFORM = (): PlatformRow => ({ platform: '', accounts: [{ accountId: '', handle: '' }] });

/** A count of months or days as typed: a whole number from 0 to `max` ('' is 0), or undefined. */
function count(value: string, max: number): number | undefined {
  if (!value.trim()) return 0;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

/** When the ban starts: the start typed, read in Paris, or now (the API's default). */
const startOf = (f: Fields) => (f.startsAt ? parisInstant(f.startsAt) : undefined) ?? new Date();

/** The control an error's key stands for (the summary's links go there). */
function controlOf(key: string): string {
  const list = /^(emails|phones)\.(\d+)$/.exec(key);
  if (list) return `f-${list[1] === 'emails' ? 'email' : 'phone'}-${list[2]}`;
  const account = /^platforms\.(\d+)\.accounts\.(\d+)\.accountId$/.exec(key);
  if (account) return `f-account-${account[1]}-${account[2]}`;
  const platform = /^platforms\.(\d+)\.platform$/.exec(key);
  if (platform) return `f-platform-${platform[1]}`;
  if (key === 'signals') return 'f-email-0';
  return `f-${key}`;
}

/** What the summary calls the field an error's key stands for. */
function labelOf(key: string): string {
  const n = (i: string | undefined) => Number(i) + 1;
  const list = /^(emails|phones)\.(\d+)$/.exec(key);
  if (list) return format(list[1] === 'emails' ? t.form.email : t.form.phone, { n: n(list[2]) });
  const account = /^platforms\.(\d+)\.accounts\.(\d+)\.accountId$/.exec(key);
  if (account) return `${format(t.form.platformN, { n: n(account[1]) })}, ${format(t.form.accountN, { n: n(account[2]) })}`;
  const platform = /^platforms\.(\d+)\.platform$/.exec(key);
  if (platform) return format(t.form.platformN, { n: n(platform[1]) });
  const labels: Record<string, string> = {
    courtReference: t.form.courtReference,
    court: t.form.court,
    decisionDate: t.form.decisionDate,
    offence: t.form.offence,
    startsAt: t.form.startsAt,
    durationMonths: `${t.form.duration} — ${t.form.durationMonths}`,
    durationDays: `${t.form.duration} — ${t.form.durationDays}`,
    givenName: t.form.givenName,
    signals: t.form.signals,
  };
  return labels[key] ?? key;
}

/** Checks what can be checked here, by the API's own rules (order-terms.ts); the keys are those controlOf knows. */
function localErrors(f: Fields, emails: string[], phones: string[], platforms: PlatformRow[]): Record<string, string> {
  const e: Record<string, string> = {};
  const err = t.form.errors;
  if (!f.courtReference.trim()) e.courtReference = err.required;
  else if (!COURT_REFERENCE.test(f.courtReference)) e.courtReference = err.courtReference;
  if (!f.court.trim()) e.court = err.required;
  if (!f.decisionDate) e.decisionDate = err.required;
  else if (f.decisionDate > parisToday()) e.decisionDate = err.future;
  else if (f.decisionDate < LAW_IN_FORCE) e.decisionDate = err.beforeLaw;
  if (!f.offence) e.offence = err.required;
  if (f.startsAt && f.decisionDate && f.startsAt.slice(0, 10) < f.decisionDate) e.startsAt = err.startBeforeDecision;

  // Code pénal 131-35-1: months "de quantième à quantième", then days, on the Paris calendar.
  const months = count(f.durationMonths, 12);
  const days = count(f.durationDays, 366);
  if (months === undefined) e.durationMonths = format(err.wholeNumber, { max: 12 });
  if (days === undefined) e.durationDays = format(err.wholeNumber, { max: 366 });
  if (months !== undefined && days !== undefined) {
    const start = startOf(f);
    const latest = latestEnd(start, f.legalBasis, f.repeatOffender);
    if (months + days === 0) e.durationMonths = err.notPositive;
    else if (endOf(start, { months, days }) > latest)
      e.durationMonths = format(err.tooLong, {
        months: maxDurationMonths(f.legalBasis, f.repeatOffender),
        latest: formatDateTime(latest.toISOString()),
      });
  }

  emails.forEach((v, i) => v.trim() && !looksLikeEmail(v) && (e[`emails.${i}`] = err.email));
  phones.forEach((v, i) => v.trim() && !looksLikePhone(v) && (e[`phones.${i}`] = err.phone));
  const name = [f.givenName, f.familyName, f.birthDate].filter((v) => v.trim());
  if (name.length > 0 && name.length < 3) e.givenName = err.incompleteName;
  if (![...emails, ...phones].some((v) => v.trim()) && name.length === 0) e.signals = t.form.atLeastOneSignal;

  platforms.forEach((p, i) => {
    if (!p.platform) e[`platforms.${i}.platform`] = err.required;
    else if (platforms.findIndex((q) => q.platform === p.platform) < i) e[`platforms.${i}.platform`] = err.samePlatform;
    p.accounts.forEach((a, j) => {
      const key = `platforms.${i}.accounts.${j}.accountId`;
      if (!a.accountId.trim()) e[key] = err.required;
      else if (p.accounts.findIndex((b) => b.accountId.trim() === a.accountId.trim()) < j) e[key] = err.sameAccount;
    });
  });
  return e;
}

/** Where an `errors[].path` of the API's answer goes on this form; undefined for none. */
function fieldOfPath(path: string, signalFields: string[]): string | undefined {
  const signal = /^subject\.signals\[(\d+)\]/.exec(path);
  if (signal) return signalFields[Number(signal[1])];
  if (path === 'subject.signals' || path === 'subject') return 'signals';
  const account = /^platforms\[(\d+)\]\.accounts\[(\d+)\]/.exec(path);
  if (account) return `platforms.${account[1]}.accounts.${account[2]}.accountId`;
  const accounts = /^platforms\[(\d+)\]\.accounts/.exec(path);
  if (accounts) return `platforms.${accounts[1]}.accounts.0.accountId`;
  const platform = /^platforms\[(\d+)\]/.exec(path);
  if (platform) return `platforms.${platform[1]}.platform`;
  if (path === 'duration.days' || path === 'durationDays') return 'durationDays';
  if (path.startsWith('duration') || path === 'endsAt') return 'durationMonths';
  const field = path.split('.')[0]!;
  return Object.hasOwn(EMPTY, field) ? field : undefined;
}

/** A button that removes a row: "Retirer", and for a screen reader what it removes. */
function RemoveButton({ what, onClick }: { what: string; onClick: () => void }) {
  return (
    <button className="fr-btn fr-btn--tertiary fr-btn--sm fr-icon-delete-line fr-btn--icon-left" type="button" onClick={onClick}>
      {t.form.remove}
      <span className="fr-sr-only"> {what}</span>
    </button>
  );
}

/**
 * A new ban order. Checks as the person types what can be checked here, by the API's own rules;
 * on submit, lists every error at the top, each a link to its field, and takes the focus there (as
 * the State design system's forms do). Sends the raw identity values once (never stored in the
 * browser), with one Idempotency-Key per form: a double click or a retry never makes two orders.
 */
export function NewOrderPage() {
  const offences = useOffences();
  const platformList = useLoad(() => ok(client.GET('/v1/platforms')), []);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [emails, setEmails] = useState<string[]>(['']);
  const [phones, setPhones] = useState<string[]>(['']);
  const [platforms, setPlatforms] = useState<PlatformRow[]>([NEW_PLATFORM()]);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  // Which field each signal sent stands for, to put the API's errors on subject.signals[i] back on it.
  const signalFields = useRef<string[]>([]);
  const submitting = useAction((path) => fieldOfPath(path, signalFields.current));
  const summaryRef = useRef<HTMLDivElement>(null);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const errors = useMemo(() => localErrors(fields, emails, phones, platforms), [fields, emails, phones, platforms]);

  const touch = (key: string) => {
    setTouched((s) => new Set(s).add(key));
    submitting.clearField(key);
  };
  const set = <K extends keyof Fields>(name: K, value: Fields[K]) => {
    setFields((f) => ({ ...f, [name]: value }));
    touch(name);
  };
  const shown = (key: string) => submitted || touched.has(key);
  const errorOf = (key: string) => submitting.fieldError(key) || (shown(key) ? errors[key] : undefined);

  // The summary: the form's own errors once submitted, then those the API put on fields.
  const summary: [string, string][] = submitted ? Object.entries(errors) : [];
  for (const [key, message] of Object.entries(submitting.fieldErrors)) if (message && !errors[key]) summary.push([key, message]);

  const focusSummary = () => requestAnimationFrame(() => summaryRef.current?.focus());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) {
      focusSummary();
      return;
    }
    const signals: OrderInput['subject']['signals'] = [];
    signalFields.current = [];
    const add = (field: string, signal: OrderInput['subject']['signals'][number]) => {
      signals.push(signal);
      signalFields.current.push(field);
    };
    emails.forEach((v, i) => v.trim() && add(`emails.${i}`, { type: 'email', value: v.trim() }));
    phones.forEach((v, i) => v.trim() && add(`phones.${i}`, { type: 'phone', value: v.trim(), country: 'FR' }));
    if (fields.givenName.trim()) {
      add('givenName', {
        type: 'name_dob',
        value: { givenName: fields.givenName.trim(), familyName: fields.familyName.trim(), birthDate: fields.birthDate },
      });
    }
    const months = count(fields.durationMonths, 12)!;
    const days = count(fields.durationDays, 366)!;
    const body: OrderInput = {
      courtReference: fields.courtReference.trim(),
      court: fields.court.trim(),
      decisionDate: fields.decisionDate,
      legalBasis: fields.legalBasis,
      offence: fields.offence,
      repeatOffender: fields.repeatOffender,
      ...(fields.startsAt ? { startsAt: startOf(fields).toISOString() } : {}),
      duration: { months, ...(days ? { days } : {}) },
      subject: { signals },
      platforms: platforms.map((p) => ({
        platform: p.platform,
        accounts: p.accounts.map((a) => ({ accountId: a.accountId.trim(), ...(a.handle.trim() ? { handle: a.handle.trim() } : {}) })),
      })),
    };
    const order = await submitting.run(() =>
      ok(client.POST('/v1/orders', { params: { header: { 'Idempotency-Key': idempotencyKey } }, body })),
    );
    if (order) {
      // The raw values leave the page with it: nothing of them is kept.
      setFields(EMPTY);
      setEmails(['']);
      setPhones(['']);
      navigate(`/orders/${order.id}`);
    } else {
      focusSummary();
    }
  };

  /** A text field of the form: `f-<name>`, its value in the form's memory only. */
  const input = (name: keyof Fields, label: string, props: Record<string, unknown> = {}, hint?: string, className?: string) => (
    <div className={className ?? 'fr-fieldset__element'}>
      <Field
        id={`f-${name}`}
        label={label}
        hint={hint}
        error={errorOf(name)}
        name={name}
        value={String(fields[name])}
        onChange={(e) => set(name, e.target.value as never)}
        autoComplete="off"
        {...props}
      />
    </div>
  );

  /** E-mails or phones: one field each, added and removed. */
  const signalList = (
    kind: 'emails' | 'phones',
    values: string[],
    setValues: (update: (v: string[]) => string[]) => void,
    labels: { label: string; add: string; remove: string },
    props: Record<string, unknown>,
  ): ReactNode => (
    <>
      {values.map((value, i) => (
        <div className="fr-fieldset__element" key={`${kind}-${i}`}>
          <Field
            id={controlOf(`${kind}.${i}`)}
            label={format(labels.label, { n: i + 1 })}
            error={errorOf(`${kind}.${i}`)}
            value={value}
            onChange={(e) => {
              const v = e.target.value;
              setValues((list) => list.map((x, j) => (j === i ? v : x)));
              touch(`${kind}.${i}`);
            }}
            autoComplete="off"
            {...props}
          />
          {values.length > 1 && (
            <RemoveButton what={format(labels.remove, { n: i + 1 })} onClick={() => setValues((list) => list.filter((_, j) => j !== i))} />
          )}
        </div>
      ))}
      <div className="fr-fieldset__element">
        <button
          className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-add-line fr-btn--icon-left"
          type="button"
          onClick={() => setValues((list) => [...list, ''])}
        >
          {labels.add}
        </button>
      </div>
    </>
  );

  const months = maxDurationMonths(fields.legalBasis, fields.repeatOffender);
  const durationOk = !errors.durationMonths && !errors.durationDays;
  const endsAt = durationOk
    ? endOf(startOf(fields), { months: count(fields.durationMonths, 12)!, days: count(fields.durationDays, 366)! })
    : undefined;
  const signalsError = shown('signals') && errors.signals;
  const none = { value: '', label: '—' };
  return (
    <>
      <h1>{t.form.title}</h1>
      <p>{t.form.intro}</p>
      <div ref={summaryRef} tabIndex={-1} data-testid="error-summary">
        {submitting.error !== undefined && <Problem error={submitting.error} />}
        {summary.length > 0 && (
          <div className="fr-alert fr-alert--error fr-mb-3w" role="alert">
            <h2 className="fr-alert__title">{format(t.form.summaryTitle, { count: summary.length })}</h2>
            <p>{t.form.summaryIntro}</p>
            <ul>
              {summary.map(([key, message]) => (
                <li key={key}>
                  <a
                    href={`#${controlOf(key)}`}
                    onClick={(e) => {
                      // The console's routes are in the hash: go to the field, not to a page.
                      e.preventDefault();
                      document.getElementById(controlOf(key))?.focus();
                    }}
                  >
                    {labelOf(key)} : {message}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        )}
        {submitting.unplaced.length > 0 && (
          <ul className="fr-error-text" data-testid="unplaced-errors">
            {submitting.unplaced.map(({ path, message }) => (
              <li key={`${path} ${message}`}>{`${path || t.form.wholeOrder} : ${message}`}</li>
            ))}
          </ul>
        )}
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="new-order">
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.decision}</legend>
          {input('courtReference', t.form.courtReference, {}, t.form.courtReferenceHint)}
          {input('court', t.form.court)}
          {input('decisionDate', t.form.decisionDate, { type: 'date', max: parisToday() })}
          <div className="fr-fieldset__element">
            <Field
              id="f-legalBasis"
              label={t.form.legalBasis}
              value={fields.legalBasis}
              onChange={(e) => set('legalBasis', e.target.value as LegalBasis)}
              options={LEGAL_BASES.map((b) => ({ value: b, label: t.legalBasis[b] }))}
            />
          </div>
          <div className="fr-fieldset__element">
            <Field
              id="f-offence"
              label={t.form.offence}
              error={errorOf('offence')}
              value={fields.offence}
              onChange={(e) => set('offence', e.target.value)}
              options={[none, ...(offences ?? []).map((o) => ({ value: o.code, label: `${o.label} (${o.articles.join(' ; ')})` }))]}
            />
          </div>
          <div className="fr-fieldset__element">
            <Field
              id="f-repeatOffender"
              label={t.form.repeatOffender}
              type="checkbox"
              checked={fields.repeatOffender}
              onChange={(e) => set('repeatOffender', e.target.checked)}
            />
          </div>
          {input('startsAt', t.form.startsAt, { type: 'datetime-local' }, t.form.startsAtHint)}
        </fieldset>

        <fieldset className="fr-fieldset" aria-labelledby="duration-legend">
          <legend className="fr-fieldset__legend" id="duration-legend">
            {t.form.duration}
            <span className="fr-hint-text">{format(t.form.durationHint, { months })}</span>
          </legend>
          <div className="fr-fieldset__element">
            <div className="fr-grid-row fr-grid-row--gutters">
              {input(
                'durationMonths',
                t.form.durationMonths,
                { type: 'number', min: 0, max: 12, inputMode: 'numeric' },
                undefined,
                'fr-col-6 fr-col-md-3',
              )}
              {input(
                'durationDays',
                t.form.durationDays,
                { type: 'number', min: 0, max: 366, inputMode: 'numeric' },
                undefined,
                'fr-col-6 fr-col-md-3',
              )}
            </div>
          </div>
          <p className="fr-fieldset__element fr-text--sm" data-testid="ends-at" aria-live="polite">
            {endsAt &&
              format(fields.startsAt ? t.form.endsAt : t.form.endsAtFromRegistration, { end: formatDateTime(endsAt.toISOString()) })}
          </p>
        </fieldset>

        <fieldset
          className={`fr-fieldset${signalsError ? ' fr-fieldset--error' : ''}`}
          aria-labelledby="signals-legend"
          aria-describedby={signalsError ? 'signals-messages' : undefined}
          data-testid="signals"
        >
          <legend className="fr-fieldset__legend" id="signals-legend">
            {t.form.subject}
            <span className="fr-hint-text" id="signals-hint">
              {t.form.signalsHint}
            </span>
          </legend>
          {signalList(
            'emails',
            emails,
            setEmails,
            { label: t.form.email, add: t.form.addEmail, remove: t.form.removeEmail },
            { type: 'email' },
          )}
          {signalList(
            'phones',
            phones,
            setPhones,
            { label: t.form.phone, add: t.form.addPhone, remove: t.form.removePhone },
            { type: 'tel' },
          )}
          {input('givenName', t.form.givenName, {}, t.form.nameHint)}
          {input('familyName', t.form.familyName)}
          {input('birthDate', t.form.birthDate, { type: 'date' })}
          <div className="fr-messages-group" id="signals-messages" aria-live="polite">
            {signalsError && <p className="fr-message fr-message--error">{errors.signals}</p>}
          </div>
        </fieldset>

        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.platforms}</legend>
          {platforms.map((p, i) => {
            const update = (change: (row: PlatformRow) => PlatformRow, key: string) => {
              setPlatforms((rows) => rows.map((r, j) => (j === i ? change(r) : r)));
              touch(key);
            };
            return (
              <fieldset className="fr-fieldset fr-fieldset__element" key={i} aria-labelledby={`platform-legend-${i}`}>
                <legend className="fr-fieldset__legend fr-fieldset__legend--regular" id={`platform-legend-${i}`}>
                  {format(t.form.platformN, { n: i + 1 })}
                </legend>
                <Field
                  className="fr-fieldset__element"
                  id={`f-platform-${i}`}
                  label={t.form.platform}
                  error={errorOf(`platforms.${i}.platform`)}
                  value={p.platform}
                  onChange={(e) => update((r) => ({ ...r, platform: e.target.value }), `platforms.${i}.platform`)}
                  options={[none, ...(platformList.value?.items ?? []).map((pl) => ({ value: pl.id, label: pl.name }))]}
                />
                {p.accounts.map((a, j) => {
                  const setAccount = (key: keyof Account, value: string) =>
                    update(
                      (r) => ({ ...r, accounts: r.accounts.map((b, k) => (k === j ? { ...b, [key]: value } : b)) }),
                      `platforms.${i}.accounts.${j}.accountId`,
                    );
                  return (
                    <div className="fr-fieldset__element fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" key={j}>
                      <Field
                        className="fr-col-12 fr-col-md-5"
                        id={`f-account-${i}-${j}`}
                        label={`${t.form.accountId} (${format(t.form.accountN, { n: j + 1 })})`}
                        error={errorOf(`platforms.${i}.accounts.${j}.accountId`)}
                        value={a.accountId}
                        onChange={(e) => setAccount('accountId', e.target.value)}
                        autoComplete="off"
                      />
                      <Field
                        className="fr-col-12 fr-col-md-4"
                        id={`f-handle-${i}-${j}`}
                        label={`${t.form.handle} (${format(t.form.accountN, { n: j + 1 })})`}
                        value={a.handle}
                        onChange={(e) => setAccount('handle', e.target.value)}
                        autoComplete="off"
                      />
                      {p.accounts.length > 1 && (
                        <div className="fr-col-12 fr-col-md-3">
                          <RemoveButton
                            what={format(t.form.removeAccount, { m: j + 1, n: i + 1 })}
                            onClick={() =>
                              update((r) => ({ ...r, accounts: r.accounts.filter((_, k) => k !== j) }), `platforms.${i}.platform`)
                            }
                          />
                        </div>
                      )}
                    </div>
                  );
                })}
                <div className="fr-fieldset__element">
                  <button
                    className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-add-line fr-btn--icon-left fr-mr-2w fr-mb-1w"
                    type="button"
                    onClick={() =>
                      update((r) => ({ ...r, accounts: [...r.accounts, { accountId: '', handle: '' }] }), `platforms.${i}.platform`)
                    }
                  >
                    {t.form.addAccount}
                    <span className="fr-sr-only"> ({format(t.form.platformN, { n: i + 1 })})</span>
                  </button>
                  {platforms.length > 1 && (
                    <RemoveButton
                      what={format(t.form.removePlatform, { n: i + 1 })}
                      onClick={() => setPlatforms((rows) => rows.filter((_, j) => j !== i))}
                    />
                  )}
                </div>
              </fieldset>
            );
          })}
          <div className="fr-fieldset__element">
            <button
              className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left"
              type="button"
              onClick={() => setPlatforms((rows) => [...rows, NEW_PLATFORM()])}
            >
              {t.form.addPlatform}
            </button>
          </div>
        </fieldset>
        <button className="fr-btn fr-mt-2w" type="submit" disabled={submitting.pending}>
          {submitting.pending ? t.form.submitting : t.form.submit}
        </button>
      </form>
    </>
  );
}
