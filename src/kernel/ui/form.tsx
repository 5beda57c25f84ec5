import { h } from './jsx.ts';

/**
 * The shared form controls of every staff and patient form: a label above, a hint, the field's own message, and the
 * aria wiring that ties the three together; plus the summary at the top of a refused form and the saved notice.
 * Values and errors are keyed by the form field's name, as a Refusal's `fields` are.
 */
export type Values = Record<string, string>;
export type Errors = Record<string, string>;

export function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? (
    <p class="field-error" id={`${props.id}-error`}>
      <span class="visually-hidden">Error: </span>
      {props.message}
    </p>
  ) : null;
}

/** aria-invalid and aria-describedby for a control whose messages are keyed `key`. */
export const invalid = (key: string, errors: Errors, hintId?: string) => ({
  'aria-invalid': errors[key] ? 'true' : undefined,
  'aria-describedby': [errors[key] ? `${key}-error` : '', hintId ?? ''].filter(Boolean).join(' ') || undefined,
});

export function Input(props: {
  name: string;
  label: string;
  values: Values;
  errors: Errors;
  hint?: string;
  type?: string;
  extra?: Record<string, string>;
}) {
  const { name, errors } = props;
  return (
    <div class="field">
      <label for={name}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${name}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <FieldError id={name} message={errors[name]} />
      <input
        id={name}
        name={name}
        type={props.type ?? 'text'}
        value={props.values[name] ?? ''}
        {...invalid(name, errors, props.hint ? `${name}-hint` : undefined)}
        {...(props.extra ?? {})}
      />
    </div>
  );
}

export function Select(props: {
  name: string;
  label: string;
  values: Values;
  errors: Errors;
  options: Array<[string, string]>;
  hint?: string;
}) {
  const { name, errors } = props;
  return (
    <div class="field">
      <label for={name}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${name}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <FieldError id={name} message={errors[name]} />
      <select id={name} name={name} {...invalid(name, errors, props.hint ? `${name}-hint` : undefined)}>
        {props.options.map(([value, text]) => (
          <option value={value} selected={(props.values[name] ?? '') === value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Check(props: { name: string; label: string; values: Values; hint?: string }) {
  return (
    <div class="field checkbox">
      <input
        type="checkbox"
        id={props.name}
        name={props.name}
        value="yes"
        checked={props.values[props.name] === 'yes'}
        aria-describedby={props.hint ? `${props.name}-hint` : undefined}
      />
      <label for={props.name}>
        {props.label}
        {props.hint ? (
          <span class="hint" id={`${props.name}-hint`}>
            {props.hint}
          </span>
        ) : null}
      </label>
    </div>
  );
}

/** At the top of a refused form: how many answers to check, each linked to its message. */
export function ErrorSummary(props: { errors: Errors }) {
  const entries = Object.entries(props.errors);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex="-1">
      <h2>{entries.length === 1 ? 'Please check one answer' : `Please check ${entries.length} answers`}</h2>
      <p>Nothing was saved.</p>
      <ul>
        {entries.map(([key, message]) => (
          <li>
            <a href={`#${key}-error`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Saved(props: { message: string | undefined }) {
  return props.message ? (
    <div class="notice notice-success" role="status">
      <p>{props.message}</p>
    </div>
  ) : null;
}
