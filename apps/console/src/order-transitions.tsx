import { type FormEvent, type ReactNode, useState } from 'react';
import { type Order, client, ok } from './api';
import { Field } from './field';
import { format, formatDate, formatDateTime, messages as t } from './i18n';
import { parisInstant, parisToday } from './pages/rules';
import { useAction } from './use-action';
import { messageOf } from './ui';

/**
 * An order's appeal and relèvement (docs/legal.md § Appeals and relèvement): what the page says of
 * them, and the authority's forms to record them — an appeal lodged against the sentence, the
 * court of appeal's outcome, a relèvement. Each form is the confirmation step of its button.
 */

/** The order's events of these transitions, for its timeline. */
export const TRANSITION_EVENTS = [
  'order.appealed',
  'order.appeal_confirmed',
  'order.appeal_quashed',
  'order.relieved',
  'directive.sla_stopped',
];

/** The status badge's tone, every status included. */
export function statusTone(status: Order['status']): 'success' | 'warning' | 'info' | 'new' {
  if (status === 'active') return 'success';
  if (status === 'revoked' || status === 'suspended') return 'warning';
  if (status === 'relieved' || status === 'quashed' || status === 'expired') return 'new';
  return 'info';
}

/** What the page says of the order's appeal and relèvement. */
export function TransitionNotices({ order: o }: { order: Order }) {
  const a = t.appeals;
  return (
    <>
      {o.status === 'suspended' && o.appeal && (
        <div className="fr-alert fr-alert--warning fr-alert--sm fr-mt-2w" data-testid="appeal-pending">
          <p>{format(a.suspendedNotice, { date: formatDate(o.appeal.lodgedOn), reference: o.appeal.reference })}</p>
        </div>
      )}
      {o.appeal?.outcome === 'confirmed' && o.appeal.decidedOn && (
        <div className="fr-alert fr-alert--info fr-alert--sm fr-mt-2w" data-testid="appeal-confirmed">
          <p>
            {format(a.confirmedNotice, {
              date: formatDate(o.appeal.decidedOn),
              reference: o.appeal.decisionReference ?? '',
              start: formatDateTime(o.startsAt),
              end: formatDateTime(o.endsAt),
            })}
          </p>
        </div>
      )}
      {o.appeal?.outcome === 'quashed' && o.appeal.decidedOn && (
        <div className="fr-alert fr-alert--info fr-alert--sm fr-mt-2w" data-testid="appeal-quashed">
          <p>{format(a.quashedNotice, { date: formatDate(o.appeal.decidedOn), reference: o.appeal.decisionReference ?? '' })}</p>
        </div>
      )}
      {o.relief && (
        <div className="fr-alert fr-alert--info fr-alert--sm fr-mt-2w" data-testid="relieved">
          <p>{format(a.relievedNotice, { date: formatDate(o.relief.decidedOn), reference: o.relief.decisionReference })}</p>
        </div>
      )}
    </>
  );
}

type Form = 'appeal' | 'outcome' | 'relief';

/** The authority's buttons for the transitions the order allows now, each opening its form. */
export function TransitionActions({ order: o, onDone }: { order: Order; onDone: () => void }) {
  const [open, setOpen] = useState<Form | undefined>();
  const running = o.status === 'scheduled' || o.status === 'active';
  const buttons: { form: Form; label: string }[] = [
    ...(running && o.legalBasis === 'conviction' && !o.appeal ? [{ form: 'appeal' as const, label: t.appeals.appeal }] : []),
    ...(o.status === 'suspended' ? [{ form: 'outcome' as const, label: t.appeals.outcome }] : []),
    ...(running ? [{ form: 'relief' as const, label: t.appeals.relief }] : []),
  ];
  if (buttons.length === 0) return null;
  const done = () => {
    setOpen(undefined);
    onDone();
  };
  const close = () => setOpen(undefined);
  return (
    <section className="fr-mt-4w" aria-labelledby="transitions-title">
      <h2 id="transitions-title">{t.appeals.title}</h2>
      {open === undefined && (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          {buttons.map((b) => (
            <li key={b.form}>
              <button className="fr-btn fr-btn--secondary" type="button" onClick={() => setOpen(b.form)} data-testid={`open-${b.form}`}>
                {b.label}
              </button>
            </li>
          ))}
        </ul>
      )}
      {open === 'appeal' && <AppealForm order={o} onDone={done} onCancel={close} />}
      {open === 'outcome' && <OutcomeForm order={o} onDone={done} onCancel={close} />}
      {open === 'relief' && <ReliefForm order={o} onDone={done} onCancel={close} />}
    </section>
  );
}

const value = (form: FormData, name: string) => String(form.get(name) ?? '');
/** A datetime-local value, read as Paris wall-clock time whatever the browser's zone, as an ISO instant. */
const instant = (local: string) => (local ? parisInstant(local)?.toISOString() : undefined);

/** The confirmation step of an order's transition: a titled fieldset, a hint, its fields, confirm and cancel. */
export function TransitionForm({
  id,
  className,
  title,
  hint,
  error,
  pending,
  onSubmit,
  onCancel,
  children,
}: {
  id: string;
  className?: string;
  title: string;
  hint: string;
  error: unknown;
  pending: boolean;
  onSubmit: (form: FormData) => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(new FormData(event.currentTarget));
  };
  return (
    <form className={className} onSubmit={submit} aria-labelledby={`${id}-title`} data-testid={`${id}-form`}>
      <fieldset className="fr-fieldset">
        <legend className="fr-fieldset__legend" id={`${id}-title`}>
          {title}
        </legend>
        <p className="fr-fieldset__element">{hint}</p>
        {error !== undefined && <p className="fr-error-text fr-fieldset__element">{messageOf(error)}</p>}
        {children}
        <ul className="fr-btns-group fr-btns-group--inline fr-fieldset__element">
          <li>
            <button className="fr-btn" type="submit" disabled={pending} data-testid={`${id}-confirm`}>
              {t.common.confirm}
            </button>
          </li>
          <li>
            <button className="fr-btn fr-btn--secondary" type="button" onClick={onCancel}>
              {t.common.cancel}
            </button>
          </li>
        </ul>
      </fieldset>
    </form>
  );
}

/** An appeal lodged against the sentence: its day and its reference. */
function AppealForm({ order: o, onDone, onCancel }: { order: Order; onDone: () => void; onCancel: () => void }) {
  return (
    <DayAndReferenceForm
      id="appeal"
      title={t.appeals.appealTitle}
      hint={t.appeals.appealHint}
      day={{ id: 'appeal-lodged-on', name: 'lodgedOn', label: t.appeals.lodgedOn }}
      reference={{ id: 'appeal-reference', name: 'reference', label: t.appeals.reference }}
      min={o.decisionDate}
      send={(lodgedOn, reference) =>
        client.POST('/v1/orders/{id}/appeal', { params: { path: { id: o.id } }, body: { lodgedOn, reference } })
      }
      onDone={onDone}
      onCancel={onCancel}
    />
  );
}

/** A relèvement: its decision's day and reference. */
function ReliefForm({ order: o, onDone, onCancel }: { order: Order; onDone: () => void; onCancel: () => void }) {
  return (
    <DayAndReferenceForm
      id="relief"
      title={t.appeals.reliefTitle}
      hint={t.appeals.reliefHint}
      day={{ id: 'relief-decided-on', name: 'decidedOn', label: t.appeals.reliefDecidedOn }}
      reference={{ id: 'relief-reference', name: 'decisionReference', label: t.appeals.reliefReference }}
      min={o.decisionDate}
      send={(decidedOn, decisionReference) =>
        client.POST('/v1/orders/{id}/relief', { params: { path: { id: o.id } }, body: { decidedOn, decisionReference } })
      }
      onDone={onDone}
      onCancel={onCancel}
    />
  );
}

/** A transition recorded by a day (between the judgment and today) and a decision's reference. */
function DayAndReferenceForm({
  id,
  title,
  hint,
  day,
  reference,
  min,
  send,
  onDone,
  onCancel,
}: {
  id: string;
  title: string;
  hint: string;
  day: { id: string; name: string; label: string };
  reference: { id: string; name: string; label: string };
  min: string;
  send: (day: string, reference: string) => Parameters<typeof ok>[0];
  onDone: () => void;
  onCancel: () => void;
}) {
  const action = useAction();
  const submit = async (form: FormData) => {
    if (await action.run(() => ok(send(value(form, day.name), value(form, reference.name))))) onDone();
  };
  return (
    <TransitionForm
      id={id}
      title={title}
      hint={hint}
      error={action.error}
      pending={action.pending}
      onSubmit={(f) => void submit(f)}
      onCancel={onCancel}
    >
      <Field
        className="fr-fieldset__element"
        id={day.id}
        label={day.label}
        name={day.name}
        type="date"
        required
        min={min}
        max={parisToday()}
        error={action.fieldError(day.name)}
      />
      <Field
        className="fr-fieldset__element"
        id={reference.id}
        label={reference.label}
        name={reference.name}
        required
        maxLength={100}
        error={action.fieldError(reference.name)}
      />
    </TransitionForm>
  );
}

function OutcomeForm({ order: o, onDone, onCancel }: { order: Order; onDone: () => void; onCancel: () => void }) {
  const action = useAction();
  const [outcome, setOutcome] = useState<'confirmed' | 'quashed'>('confirmed');
  const [newDates, setNewDates] = useState(false);
  const submit = async (form: FormData) => {
    const dates =
      outcome === 'confirmed' && newDates ? { startsAt: instant(value(form, 'startsAt')), endsAt: instant(value(form, 'endsAt')) } : {};
    const body = { outcome, decidedOn: value(form, 'decidedOn'), decisionReference: value(form, 'decisionReference'), ...dates };
    if (await action.run(() => ok(client.POST('/v1/orders/{id}/appeal/outcome', { params: { path: { id: o.id } }, body })))) onDone();
  };
  return (
    <TransitionForm
      id="outcome"
      title={t.appeals.outcomeTitle}
      hint={t.appeals.outcomeHint}
      error={action.error}
      pending={action.pending}
      onSubmit={(f) => void submit(f)}
      onCancel={onCancel}
    >
      <fieldset className="fr-fieldset fr-fieldset__element" aria-labelledby="outcome-choice-legend">
        <legend className="fr-fieldset__legend--regular fr-fieldset__legend" id="outcome-choice-legend">
          {t.appeals.outcomeChoice}
        </legend>
        {(['confirmed', 'quashed'] as const).map((choice) => (
          <div className="fr-fieldset__element" key={choice}>
            <div className="fr-radio-group">
              <input
                type="radio"
                id={`outcome-${choice}`}
                name="outcome"
                value={choice}
                checked={outcome === choice}
                onChange={() => setOutcome(choice)}
              />
              <label className="fr-label" htmlFor={`outcome-${choice}`}>
                {choice === 'confirmed' ? t.appeals.confirmed : t.appeals.quashed}
              </label>
            </div>
          </div>
        ))}
      </fieldset>
      <Field
        className="fr-fieldset__element"
        id="outcome-decided-on"
        label={t.appeals.decidedOn}
        name="decidedOn"
        type="date"
        required
        min={o.appeal?.lodgedOn}
        max={parisToday()}
        error={action.fieldError('decidedOn')}
      />
      <Field
        className="fr-fieldset__element"
        id="outcome-reference"
        label={t.appeals.decisionReference}
        name="decisionReference"
        required
        maxLength={100}
        error={action.fieldError('decisionReference')}
      />
      {outcome === 'confirmed' && (
        <>
          <div className="fr-fieldset__element">
            <div className="fr-checkbox-group">
              <input type="checkbox" id="outcome-new-dates" checked={newDates} onChange={(e) => setNewDates(e.target.checked)} />
              <label className="fr-label" htmlFor="outcome-new-dates">
                {t.appeals.newDates}
                <span className="fr-hint-text">{t.appeals.newDatesHint}</span>
              </label>
            </div>
          </div>
          {newDates && (
            <>
              <Field
                className="fr-fieldset__element"
                id="outcome-starts-at"
                label={t.appeals.startsAt}
                hint={t.appeals.parisTime}
                name="startsAt"
                type="datetime-local"
                required
                error={action.fieldError('startsAt')}
              />
              <Field
                className="fr-fieldset__element"
                id="outcome-ends-at"
                label={t.appeals.endsAt}
                hint={t.appeals.capHint}
                name="endsAt"
                type="datetime-local"
                required
                error={action.fieldError('endsAt')}
              />
            </>
          )}
        </>
      )}
    </TransitionForm>
  );
}
