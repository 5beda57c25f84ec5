import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import type { Clinic, LocationWithHours } from '../kernel/clinic.ts';
import { Layout } from '../kernel/ui/site-layout.tsx';
import { CONTACT_METHODS, HEARD_FROM, REASONS, type FieldErrors, type FormValues } from './form-schema.ts';

interface FormProps {
  clinic: Clinic;
  locations: LocationWithHours[];
  values: FormValues;
  errors: FieldErrors;
  formKey: string;
  /** A message about the whole form (honeypot, reused key). */
  notice?: string;
}

const LABELS: Record<string, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email address',
  phone: 'Mobile phone',
  location: 'Preferred location',
  contact_method: 'How should we contact you?',
  reason: 'What would you like help with?',
  heard_from: 'How did you hear about us?',
  message: 'Anything you would like us to know',
  consent: 'Consent to be contacted',
  form_key: 'Form',
};

function describedBy(name: string, errors: FieldErrors, hint: boolean): string | undefined {
  const ids = [hint ? `${name}-hint` : '', errors[name as keyof FieldErrors] ? `${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function ErrorText(props: { name: string; errors: FieldErrors }) {
  const message = props.errors[props.name as keyof FieldErrors];
  return message ? (
    <p class="field-error" id={`${props.name}-error`}>
      <span class="visually-hidden">Error: </span>
      {message}
    </p>
  ) : (
    <Fragment />
  );
}

function TextField(props: {
  name: string;
  type?: string;
  autocomplete?: string;
  hint?: string;
  values: FormValues;
  errors: FieldErrors;
  inputmode?: string;
}) {
  const { name, errors } = props;
  return (
    <div class="field">
      <label for={name}>{LABELS[name]}</label>
      {props.hint ? (
        <p class="hint" id={`${name}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <ErrorText name={name} errors={errors} />
      <input
        id={name}
        name={name}
        type={props.type ?? 'text'}
        value={props.values[name] ?? ''}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        required
        aria-invalid={errors[name as keyof FieldErrors] ? 'true' : undefined}
        aria-describedby={describedBy(name, errors, Boolean(props.hint))}
      />
    </div>
  );
}

function RadioGroup(props: {
  name: string;
  options: Record<string, string>;
  values: FormValues;
  errors: FieldErrors;
  hint?: string;
}) {
  const { name, errors } = props;
  return (
    <fieldset class="field radio-group" aria-describedby={describedBy(name, errors, Boolean(props.hint))}>
      <legend>{LABELS[name]}</legend>
      {props.hint ? (
        <p class="hint" id={`${name}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <ErrorText name={name} errors={errors} />
      {/* The label holds its radio, so the whole row (at least 44 px tall) picks the option. */}
      {Object.entries(props.options).map(([value, label]) => (
        <label class="radio" for={`${name}-${value}`}>
          <input
            type="radio"
            id={`${name}-${value}`}
            name={name}
            value={value}
            checked={props.values[name] === value}
            aria-invalid={errors[name as keyof FieldErrors] ? 'true' : undefined}
          />
          <span>{label}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function ConsultationFormPage(props: FormProps) {
  const { clinic, locations, values, errors } = props;
  const errorEntries = Object.entries(errors).filter(([, m]) => m);
  return (
    <Layout title="Request a consultation" clinic={clinic} path="/consultation" hideCta>
      <div class="wrap narrow">
        <h1>Request a consultation</h1>
        <p class="lead">
          Tell us a little about yourself and where you would like to be seen. We will email you a link to choose a
          consultation time online straight away.
        </p>
        <p>
          All fields are required unless marked optional. If you prefer to talk, call{' '}
          <a href={`tel:${clinic.phone.replace(/[^+\d]/g, '')}`}>{clinic.phone}</a>.
        </p>
        {props.notice ? (
          <div class="notice notice-warning" role="alert">
            <p>{props.notice}</p>
          </div>
        ) : null}
        {errorEntries.length > 0 ? (
          <div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">
              Please check {errorEntries.length === 1 ? 'one answer' : `${errorEntries.length} answers`}
            </h2>
            <ul>
              {errorEntries.map(([name, message]) => (
                <li>
                  <a href={`#${fieldAnchor(name)}`}>{message}</a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <form class="form" method="post" action="/consultation" novalidate>
          <input type="hidden" name="form_key" value={props.formKey} />
          <TextField name="first_name" autocomplete="given-name" values={values} errors={errors} />
          <TextField name="last_name" autocomplete="family-name" values={values} errors={errors} />
          <TextField
            name="email"
            type="email"
            autocomplete="email"
            hint="We send your booking link here."
            values={values}
            errors={errors}
          />
          <TextField
            name="phone"
            type="tel"
            autocomplete="tel"
            inputmode="tel"
            hint="For example (312) 555-0147. Include the country code if it is not a US number."
            values={values}
            errors={errors}
          />
          <div class="field">
            <label for="location">{LABELS.location}</label>
            <ErrorText name="location" errors={errors} />
            <select
              id="location"
              name="location"
              required
              aria-invalid={errors.location ? 'true' : undefined}
              aria-describedby={describedBy('location', errors, false)}
            >
              <option value="">Choose a location</option>
              {locations.map((l) => (
                <option value={l.slug} selected={values.location === l.slug}>
                  {l.name} ({l.city}, {l.region})
                </option>
              ))}
            </select>
          </div>
          <RadioGroup name="contact_method" options={CONTACT_METHODS} values={values} errors={errors} />
          <RadioGroup name="reason" options={REASONS} values={values} errors={errors} />
          <div class="field">
            <label for="heard_from">
              {LABELS.heard_from} <span class="optional">(optional)</span>
            </label>
            <ErrorText name="heard_from" errors={errors} />
            <select id="heard_from" name="heard_from" aria-describedby={describedBy('heard_from', errors, false)}>
              <option value="">Prefer not to say</option>
              {Object.entries(HEARD_FROM).map(([value, label]) => (
                <option value={value} selected={values.heard_from === value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="message">
              {LABELS.message} <span class="optional">(optional)</span>
            </label>
            <p class="hint" id="message-hint">
              Please do not include detailed medical history here; we will ask about it in a private conversation.
            </p>
            <ErrorText name="message" errors={errors} />
            <textarea
              id="message"
              name="message"
              rows="4"
              maxlength="2000"
              aria-invalid={errors.message ? 'true' : undefined}
              aria-describedby={describedBy('message', errors, true)}
            >
              {values.message ?? ''}
            </textarea>
          </div>
          <div class="honeypot" aria-hidden="true">
            <label for="website">Leave this field empty</label>
            <input
              id="website"
              name="website"
              type="text"
              tabindex="-1"
              autocomplete="off"
              value={values.website ?? ''}
            />
          </div>
          <div class="field checkbox">
            <ErrorText name="consent" errors={errors} />
            <input
              type="checkbox"
              id="consent"
              name="consent"
              value="yes"
              checked={values.consent === 'yes'}
              aria-invalid={errors.consent ? 'true' : undefined}
              aria-describedby={describedBy('consent', errors, false)}
            />
            <label for="consent">
              I agree that {clinic.name} may contact me by email, phone or text about my request. I understand this form
              is not for emergencies.
            </label>
          </div>
          <button class="button" type="submit">
            Send my request
          </button>
        </form>
      </div>
    </Layout>
  );
}

/** Radio groups are reached through their first option. */
function fieldAnchor(name: string): string {
  if (name === 'reason') return 'reason-crps';
  if (name === 'contact_method') return 'contact_method-email';
  return name;
}

export function ThanksPage(props: { clinic: Clinic; location: LocationWithHours | undefined; children?: Child }) {
  const { clinic, location } = props;
  return (
    <Layout title="Request received" clinic={clinic}>
      <div class="wrap narrow">
        <div class="notice notice-success" role="status">
          <h1>Thank you, we have your request</h1>
        </div>
        <h2>What happens next</h2>
        <ol class="steps">
          <li>
            <strong>Check your email.</strong> Within a few minutes we send you a message with a private link. If it
            does not arrive, look in your spam or junk folder.
          </li>
          <li>
            <strong>Choose a consultation time.</strong> The link shows the open times
            {location ? ` at ${location.name}` : ''} and books your visit as soon as you pick one. You can switch
            location there too.
          </li>
          <li>
            <strong>Meet a physician.</strong> The consultation is a conversation about your pain, your history and
            whether infusion therapy is a safe, sensible option for you. There is no obligation to start treatment.
          </li>
        </ol>
        <p>
          Questions? Call us at <a href={`tel:${clinic.phone.replace(/[^+\d]/g, '')}`}>{clinic.phone}</a>
          {location ? (
            <Fragment>
              {' '}
              or {location.name} directly at{' '}
              <a href={`tel:${location.phone.replace(/[^+\d]/g, '')}`}>{location.phone}</a>
            </Fragment>
          ) : null}
          .
        </p>
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </div>
    </Layout>
  );
}
