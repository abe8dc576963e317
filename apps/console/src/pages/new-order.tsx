import { type FormEvent, useMemo, useRef, useState } from 'react';
import type { paths } from '@ostracon/platform-sdk/api-types';
import { client, ok } from '../api';
import { Field } from '../field';
import { format, messages as t } from '../i18n';
import { parisInstant } from '../paris-time';
import { navigate } from '../router';
import { Problem, useLoad } from '../ui';
import { useAction } from '../use-action';
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

type OrderInput = paths['/v1/orders']['post']['requestBody']['content']['application/json'];

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
  const start = (f.startsAt && parisInstant(f.startsAt)) || new Date();
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
  const offences = useLoad(() => ok(client.GET('/v1/offences')), []);
  const platformList = useLoad(() => ok(client.GET('/v1/platforms')), []);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [platforms, setPlatforms] = useState<PlatformRow[]>([{ platform: '', accountId: '', handle: '' }]);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  // Which field each signal sent stands for, to put the API's errors on subject.signals[i] back on it.
  const signalFields = useRef<string[]>([]);
  const submitting = useAction((path) => {
    const signal = /^subject\.signals\[(\d+)\]/.exec(path);
    const platform = /^platforms\[(\d+)\](\.platform)?/.exec(path);
    const field = signal
      ? signalFields.current[Number(signal[1])]
      : platform
        ? `platforms.${platform[1]}.${platform[2] ? 'platform' : 'accountId'}`
        : path.split('.')[0];
    // An error on a field the form shows lands on it; any other is listed under the alert.
    return field && (Object.hasOwn(EMPTY, field) || field.startsWith('platforms.')) ? field : undefined;
  });
  const problemRef = useRef<HTMLDivElement>(null);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const errors = useMemo(() => localErrors(fields, platforms), [fields, platforms]);

  const set = <K extends keyof Fields>(name: K, value: Fields[K]) => {
    setFields((f) => ({ ...f, [name]: value }));
    setTouched((s) => new Set(s).add(name));
    submitting.clearField(name);
  };
  const errorOf = (name: string) => submitting.fieldError(name) || (touched.has(name) ? errors[name] : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set([...Object.keys(EMPTY), ...platforms.flatMap((_, i) => [`platforms.${i}.platform`, `platforms.${i}.accountId`])]));
    if (Object.keys(errors).length > 0) return;
    const signals: OrderInput['subject']['signals'] = [];
    signalFields.current = [];
    const add = (field: string, signal: OrderInput['subject']['signals'][number]) => {
      signals.push(signal);
      signalFields.current.push(field);
    };
    if (fields.email.trim()) add('email', { type: 'email', value: fields.email.trim() });
    if (fields.phone.trim()) add('phone', { type: 'phone', value: fields.phone.trim(), country: 'FR' });
    if (fields.givenName.trim()) {
      add('givenName', {
        type: 'name_dob',
        value: { givenName: fields.givenName.trim(), familyName: fields.familyName.trim(), birthDate: fields.birthDate },
      });
    }
    const body: OrderInput = {
      courtReference: fields.courtReference.trim(),
      court: fields.court.trim(),
      decisionDate: fields.decisionDate,
      legalBasis: fields.legalBasis,
      offence: fields.offence,
      repeatOffender: fields.repeatOffender,
      ...(fields.startsAt ? { startsAt: parisInstant(fields.startsAt)?.toISOString() ?? fields.startsAt } : {}),
      durationDays: Number(fields.durationDays),
      subject: { signals },
      platforms: platforms.map((p) => ({
        platform: p.platform,
        accounts: [{ accountId: p.accountId.trim(), ...(p.handle.trim() ? { handle: p.handle.trim() } : {}) }],
      })),
    };
    const order = await submitting.run(async () => {
      if (signals.length === 0) throw new Error(t.form.atLeastOneSignal);
      return ok(client.POST('/v1/orders', { params: { header: { 'Idempotency-Key': idempotencyKey } }, body }));
    });
    if (order) {
      // The raw values leave the page with it: nothing of them is kept.
      setFields(EMPTY);
      navigate(`/orders/${order.id}`);
    } else {
      // Said where the person is: the alert takes the focus (and a screen reader reads it).
      requestAnimationFrame(() => problemRef.current?.focus());
    }
  };

  /** A text field of the form: `f-<name>`, its value in the form's memory only. */
  const input = (name: keyof Fields, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <div className="fr-fieldset__element">
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

  const months = maxDurationMonths(fields.legalBasis, fields.repeatOffender);
  const none = { value: '', label: '—' };
  return (
    <>
      <h1>{t.form.title}</h1>
      <p>{t.form.intro}</p>
      <div ref={problemRef} tabIndex={-1} aria-live="assertive">
        {submitting.error !== undefined && <Problem error={submitting.error} />}
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
              options={[none, ...(offences.value?.items ?? []).map((o) => ({ value: o.code, label: o.label }))]}
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
          {input(
            'durationDays',
            t.form.durationDays,
            { type: 'number', min: 1, inputMode: 'numeric' },
            format(t.form.durationHint, { months }),
          )}
        </fieldset>

        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.subject}</legend>
          {input('email', t.form.email, { type: 'email' })}
          {input('phone', t.form.phone, { type: 'tel' })}
          {input('givenName', t.form.givenName, {}, t.form.nameHint)}
          {input('familyName', t.form.familyName)}
          {input('birthDate', t.form.birthDate, { type: 'date' })}
        </fieldset>

        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t.form.platforms}</legend>
          {platforms.map((p, i) => {
            const update = (key: keyof PlatformRow, value: string) => {
              setPlatforms((rows) => rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
              setTouched((s) => new Set(s).add(`platforms.${i}.${key}`));
              submitting.clearField(`platforms.${i}.${key}`);
            };
            return (
              <div className="fr-fieldset__element fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" key={i}>
                <Field
                  className="fr-col-12 fr-col-md-4"
                  id={`f-platform-${i}`}
                  label={t.form.platform}
                  error={errorOf(`platforms.${i}.platform`)}
                  value={p.platform}
                  onChange={(e) => update('platform', e.target.value)}
                  options={[none, ...(platformList.value?.items ?? []).map((pl) => ({ value: pl.id, label: pl.name }))]}
                />
                <Field
                  className="fr-col-12 fr-col-md-3"
                  id={`f-account-${i}`}
                  label={t.form.accountId}
                  error={errorOf(`platforms.${i}.accountId`)}
                  value={p.accountId}
                  onChange={(e) => update('accountId', e.target.value)}
                  autoComplete="off"
                />
                <Field
                  className="fr-col-12 fr-col-md-3"
                  id={`f-handle-${i}`}
                  label={t.form.handle}
                  value={p.handle}
                  onChange={(e) => update('handle', e.target.value)}
                  autoComplete="off"
                />
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
        <button className="fr-btn fr-mt-2w" type="submit" disabled={submitting.pending}>
          {submitting.pending ? t.form.submitting : t.form.submit}
        </button>
      </form>
    </>
  );
}
