import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDateTime } from '../../kernel/time/format.ts';
import { ErrorSummary, FieldError, Saved, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import { clinicalHref } from '../patient-frame.tsx';
import type { AlertRow, ConsentDocument } from './repository.ts';
import { ALERT_KINDS } from './staff-views.tsx';
import { CLOSE_ACTIONS, closeActions, closedByProviderOnly } from '../safety/close-rule.ts';
import { FLAG_KIND_LABELS, SOURCE_LABELS } from '../safety/worklist-words.ts';

type WorklistAlert = AlertRow & { first_name: string; last_name: string; location_name: string; time_zone: string };

/** Open safety alerts at the person's locations; each closes with an assessment and the action taken. */
export function WorklistPage(props: {
  staff: StaffContext;
  alerts: WorklistAlert[];
  saved?: string | undefined;
  /** The alert whose form was refused, and why. */
  failed?: { alertId: string; errors: Errors; values: Values } | undefined;
}) {
  // The summary links to each message by the refused alert's own field ids.
  const failed = props.failed;
  const summary: Errors = failed
    ? Object.fromEntries(
        Object.entries(failed.errors).map(([k, m]) => [fieldIds(failed.alertId)[k as 'assessment'] ?? k, m]),
      )
    : {};
  return StaffLayout({
    title: 'Worklist',
    staff: props.staff,
    path: '/staff/worklist',
    children: (
      <Fragment>
        <h1>Worklist</h1>
        <Saved message={props.saved} />
        <ErrorSummary errors={summary} />
        <p>
          Safety alerts from patients at your locations. An alert stays here until a clinician records an assessment and
          the action taken. A nurse closes a self-harm answer given between visits; a provider closes the rest.
        </p>
        {props.alerts.length === 0 ? (
          <p>
            <strong>No open alerts.</strong>
          </p>
        ) : (
          props.alerts.map((a) => (
            <article class="worklist-alert" aria-labelledby={`alert-${a.id}`}>
              <h2 id={`alert-${a.id}`}>
                <a href={clinicalHref(a.patient_id, a.source === 'questionnaire' ? 'questionnaires' : 'intake')}>
                  {a.first_name} {a.last_name}
                </a>
                {a.level === 'urgent' ? <span class="badge badge-urgent">Urgent</span> : null}
                {a.holds ? <span class="badge badge-hold">Infusions on hold</span> : null}
              </h2>
              <p>
                {ALERT_KINDS[a.kind] ?? FLAG_KIND_LABELS[a.kind] ?? a.kind} · from the{' '}
                {SOURCE_LABELS[a.source] ?? a.source} · {a.location_name} · raised{' '}
                {formatDateTime(a.raised_at, a.time_zone)}
              </p>
              <CloseForm
                staff={props.staff}
                alert={a}
                failed={props.failed?.alertId === a.id ? props.failed : undefined}
              />
            </article>
          ))
        )}
      </Fragment>
    ),
  });
}

/** The ids of one alert's fields, so the error summary's links reach the right form. */
const fieldIds = (alertId: string): Record<string, string> & { assessment: string; action: string } => ({
  assessment: `assessment-${alertId}`,
  action: `action-${alertId}`,
});

function CloseForm(props: {
  staff: StaffContext;
  alert: WorklistAlert;
  failed: { errors: Errors; values: Values } | undefined;
}) {
  const a = props.alert;
  const actions = closeActions(props.staff.role, a);
  if (actions.length === 0)
    return props.staff.role === 'provider' || a.kind === 'phq9_item9' ? (
      <p>{closedByProviderOnly}</p>
    ) : (
      <p>
        A provider reviews and closes this flag on the <a href={`/staff/safety/${a.id}`}>safety worklist</a>, with the
        action taken.
      </p>
    );
  const errors = props.failed?.errors ?? {};
  const values = props.failed?.values ?? {};
  const ids = fieldIds(a.id);
  const described = (field: 'assessment' | 'action', hint?: string) =>
    [errors[field] ? `${ids[field]}-error` : '', hint ?? ''].filter(Boolean).join(' ') || undefined;
  return (
    <form class="form" method="post" action={`/staff/worklist/${a.id}/resolve`} novalidate>
      <Csrf token={props.staff.csrfToken} />
      {a.holds ? (
        <p>
          <strong>Closing this flag lifts the hold:</strong> infusions can be booked and started again.
        </p>
      ) : null}
      <div class="field">
        <label for={ids.assessment}>Assessment</label>
        <span class="hint" id={`${ids.assessment}-hint`}>
          What was assessed (for example a structured suicide-risk assessment), by whom, and what was decided.
        </span>
        <FieldError id={ids.assessment} message={errors.assessment} />
        <textarea
          id={ids.assessment}
          name="assessment"
          rows="4"
          aria-invalid={errors.assessment ? 'true' : undefined}
          aria-describedby={described('assessment', `${ids.assessment}-hint`)}
        >
          {values.assessment ?? ''}
        </textarea>
      </div>
      <div class="field">
        <label for={ids.action}>Action taken</label>
        <FieldError id={ids.action} message={errors.action} />
        <select
          id={ids.action}
          name="action"
          aria-invalid={errors.action ? 'true' : undefined}
          aria-describedby={described('action')}
        >
          {[['', 'Choose…'] as const, ...actions.map((code) => [code, CLOSE_ACTIONS[code] ?? code] as const)].map(
            ([value, text]) => (
              <option value={value} selected={(values.action ?? '') === value}>
                {text}
              </option>
            ),
          )}
        </select>
      </div>
      <button class="button" type="submit">
        Record and close
      </button>
    </form>
  );
}

/** The consent documents for administrators: each one's text in force, its versions, and a new version to publish. */
export function ConsentSettingsPage(props: {
  staff: StaffContext;
  documents: Array<{ current: ConsentDocument; versions: ConsentDocument[] }>;
  saved?: string | undefined;
  errors?: Errors;
  values?: Values;
  zone: string;
}) {
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  return StaffLayout({
    title: 'Consent documents',
    staff: props.staff,
    path: '/staff/setup',
    children: (
      <Fragment>
        <p class="setup-back">
          <a href="/staff/setup">← Clinic set-up</a>
        </p>
        <h1>Consent documents</h1>
        <Saved message={props.saved} />
        <ErrorSummary errors={errors} />
        <p>
          Patients read and sign these before their first infusion. Publishing a new version keeps every signed version
          as it was, and asks each patient to sign the new one before their next infusion.
        </p>
        {props.documents.map(({ current, versions }) => {
          const c = current.code;
          return (
            <section class="consent-admin" aria-labelledby={`doc-${c}`}>
              <h2 id={`doc-${c}`}>{current.title}</h2>
              <p class="hint">
                Version {String(current.version)}, published {formatDateTime(current.published_at, props.zone)}
                {current.published_by ? '' : ' (the text Relief ships)'} · SHA-256{' '}
                <span class="hash">{current.sha256.slice(0, 16)}…</span>
              </p>
              {versions.length > 1 ? (
                <p class="hint">
                  Earlier versions:{' '}
                  {versions
                    .slice(1)
                    .map((v) => String(v.version))
                    .join(', ')}
                </p>
              ) : null}
              <form class="form form-wide" method="post" action={`/staff/clinical-settings/consent/${c}`} novalidate>
                <Csrf token={props.staff.csrfToken} />
                <input type="hidden" name="basedOn" value={String(current.version)} />
                <FieldError id={`${c}-version`} message={errors[`${c}-version`]} />
                <div class="field">
                  <label for={`${c}-title`}>Title</label>
                  <FieldError id={`${c}-title`} message={errors[`${c}-title`]} />
                  <input
                    id={`${c}-title`}
                    name="title"
                    type="text"
                    value={values[`${c}-title`] ?? current.title}
                    aria-invalid={errors[`${c}-title`] ? 'true' : undefined}
                    aria-describedby={errors[`${c}-title`] ? `${c}-title-error` : undefined}
                  />
                </div>
                <div class="field">
                  <label for={`${c}-body`}>Text</label>
                  <span class="hint" id={`${c}-body-hint`}>
                    Plain text, one paragraph a line. A short line with no full stop shows as a heading; a line starting
                    with “- ” as a list item.
                  </span>
                  <FieldError id={`${c}-body`} message={errors[`${c}-body`]} />
                  <textarea
                    id={`${c}-body`}
                    name="body"
                    rows="16"
                    aria-invalid={errors[`${c}-body`] ? 'true' : undefined}
                    aria-describedby={[errors[`${c}-body`] ? `${c}-body-error` : '', `${c}-body-hint`]
                      .filter(Boolean)
                      .join(' ')}
                  >
                    {values[`${c}-body`] ?? current.body}
                  </textarea>
                </div>
                <button class="button" type="submit">
                  Publish version {String(current.version + 1)}
                </button>
              </form>
            </section>
          );
        })}
      </Fragment>
    ),
  });
}
