import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

interface Labelled {
  /** The control's id: the label's `for`, and `<id>-error` for the message under it. */
  id: string;
  label: ReactNode;
  /** Said with the label (DSFR `fr-hint-text`), hence part of the control's accessible name. */
  hint?: ReactNode;
  /** What is wrong with the value: the form's own check, or the API's (useAction's fieldError). */
  error?: string;
  /** Classes for the group: its place in a grid or a fieldset. */
  className?: string;
}

export interface Option {
  value: string;
  label: string;
}

export type SelectFieldProps = Labelled & { options: readonly Option[] } & Omit<
    SelectHTMLAttributes<HTMLSelectElement>,
    'id' | 'className' | 'children'
  >;
export type InputFieldProps = Labelled & { options?: undefined } & Omit<
    InputHTMLAttributes<HTMLInputElement>,
    'id' | 'className' | 'children'
  >;

const classes = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(' ');

/**
 * One field as the State design system draws it: an input, a select (with `options`) or a checkbox
 * (`type="checkbox"`), its label and hint, and its error under it, tied to the control by
 * aria-describedby and marked aria-invalid, so that a screen reader says it with the field.
 */
// Two signatures, so that a handler such as onChange is typed for a select or for an input.
export function Field(props: SelectFieldProps): ReactNode;
export function Field(props: InputFieldProps): ReactNode;
export function Field(props: SelectFieldProps | InputFieldProps) {
  const { id, label, hint, error, className } = props;
  const invalid = error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
  const caption = (
    <label className="fr-label" htmlFor={id}>
      {label}
      {hint && <span className="fr-hint-text">{hint}</span>}
    </label>
  );
  const message = error && (
    <p className="fr-error-text" id={`${id}-error`}>
      {error}
    </p>
  );
  if (props.options) {
    const { id: _id, label: _label, hint: _hint, error: _error, className: _className, options, ...select } = props;
    return (
      <div className={classes('fr-select-group', error && 'fr-select-group--error', className)}>
        {caption}
        <select className={classes('fr-select', error && 'fr-select--error')} id={id} {...invalid} {...select}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {message}
      </div>
    );
  }
  const { id: _id, label: _label, hint: _hint, error: _error, className: _className, options: _options, ...input } = props;
  if (input.type === 'checkbox') {
    return (
      <div className={classes('fr-checkbox-group', error && 'fr-checkbox-group--error', className)}>
        <input id={id} {...invalid} {...input} />
        {caption}
        {message}
      </div>
    );
  }
  return (
    <div className={classes('fr-input-group', error && 'fr-input-group--error', className)}>
      {caption}
      <input className={classes('fr-input', error && 'fr-input--error')} id={id} {...invalid} {...input} />
      {message}
    </div>
  );
}
