import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDateTime } from '../../kernel/time/format.ts';
import { ErrorSummary, FieldError, Saved, Select, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import { clinicalHref } from '../patient-frame.tsx';
import type { WorklistFilters } from './worklist-service.ts';
import type { WorklistRow } from './worklist-repository.ts';
import { FLAG_RULES, type FlagKind } from './flags-settings.ts';
import { closeActions } from './close-rule.ts';
import { CLOSE_ACTIONS, FLAG_KIND_LABELS, SOURCE_LABELS, STATE_LABELS } from './worklist-words.ts';

const kindLabel = (kind: string) => FLAG_KIND_LABELS[kind] ?? kind;
const SUBSTANCE_WORDS: Record<string, string> = {
  none: 'no substance use',
  history: 'a history of misuse',
  active: 'active misuse',
};

function Badges(props: { flag: WorklistRow }) {
  const f = props.flag;
  return (
    <Fragment>
      {f.holds && f.state !== 'closed' ? <span class="badge badge-hold">Infusions on hold</span> : null}
      {f.level === 'urgent' ? <span class="badge badge-urgent">Urgent</span> : null}
    </Fragment>
  );
}

/** The rule's finding in words: codes and figures, never free text. */
function detailWords(f: WorklistRow): string | null {
  const d = f.detail;
  if (!d) return null;
  switch (f.kind) {
    case 'liver':
      return `${String(d.test).toUpperCase()} at ${String(d.timesUpperLimit)} × the upper limit of normal`;
    case 'dose_escalation':
      return `mg/kg per session up ${String(d.risePercent)} % over the last ${String(d.sessions)} verified orders (${String(d.painScores)} pre-session pain scores)`;
    case 'urinary':
      return `${String(d.yes)} of the urinary questions answered yes`;
    case 'missed_follow_up':
      return d.missed === 'questionnaire' ? 'A questionnaire was missed' : 'A visit was not attended';
    case 'phq9_item9':
      return `Item 9 answered ${String(d.answer)}`;
    case 'substance_use':
      return d.check === 'pdmp'
        ? 'A prescription-monitoring (PDMP) check found concerns'
        : `The screening recorded ${SUBSTANCE_WORDS[String(d.recorded)] ?? String(d.recorded)} (${
            d.before === 'first'
              ? 'the first screening'
              : `before: ${SUBSTANCE_WORDS[String(d.before)] ?? String(d.before)}`
          })`;
    default:
      return null;
  }
}

export function SafetyWorklistPage(props: {
  staff: StaffContext;
  rows: WorklistRow[];
  filters: WorklistFilters;
  locations: Array<{ id: string; name: string }>;
  errors?: Errors;
  saved?: string | undefined;
}) {
  const errors = props.errors ?? {};
  const values: Values = { location: props.filters.location, kind: props.filters.kind, state: props.filters.state };
  return StaffLayout({
    title: 'Safety worklist',
    staff: props.staff,
    path: '/staff/safety',
    children: (
      <Fragment>
        <h1>Safety worklist</h1>
        <Saved message={props.saved} />
        <ErrorSummary errors={errors} />
        <p>
          Alerts and safety flags for patients at your locations: from the intake, check-in and questionnaires, and from
          the flag rules. Each stays here until it is closed with an assessment and the action taken (a nurse may close
          a self-harm answer given between visits on the clinicians’ worklist). A flag that holds infusions blocks
          booking and starting an infusion until a provider closes it.
        </p>
        <p>
          <a href="/staff/safety/rates">Adverse events and alerts per 100 sessions</a>
        </p>
        <form class="form filters" method="get" action="/staff/safety" novalidate>
          <Select
            name="location"
            label="Location"
            values={values}
            errors={errors}
            options={[['', 'All my locations'], ...props.locations.map((l): [string, string] => [l.id, l.name])]}
          />
          <Select
            name="kind"
            label="Kind"
            values={values}
            errors={errors}
            options={[['', 'All kinds'], ...Object.entries(FLAG_KIND_LABELS)]}
          />
          <Select
            name="state"
            label="State"
            values={values}
            errors={errors}
            options={[
              ['active', 'Open and in review'],
              ['open', 'Open'],
              ['in_review', 'In review'],
              ['closed', 'Closed'],
            ]}
          />
          <button class="button button-secondary" type="submit">
            Show
          </button>
        </form>
        {props.rows.length === 0 ? (
          <p>
            <strong>No flags match.</strong>
          </p>
        ) : (
          <div class="table-scroll" tabindex="0" role="region" aria-labelledby="safety-caption">
            <table class="hours-table safety-table">
              <caption id="safety-caption">{props.rows.length === 1 ? '1 flag' : `${props.rows.length} flags`}</caption>
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Flag</th>
                  <th scope="col">Raised</th>
                  <th scope="col">Owner</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((f) => (
                  <tr>
                    <th scope="row">
                      <a href={clinicalHref(f.patient_id, 'record')}>
                        {f.first_name} {f.last_name}
                      </a>
                      <span class="hint">{f.location_name}</span>
                    </th>
                    <td data-label="Flag">
                      <a href={`/staff/safety/${f.id}`}>{kindLabel(f.kind)}</a> <Badges flag={f} />
                      <span class="hint">From the {SOURCE_LABELS[f.source] ?? f.source}</span>
                    </td>
                    <td data-label="Raised">{formatDateTime(f.raised_at, f.time_zone)}</td>
                    <td data-label="Owner">
                      {f.state === 'closed'
                        ? `Closed by ${f.resolved_by_name ?? 'a clinician'}`
                        : (f.owner_name ?? 'No one yet')}
                    </td>
                    <td data-label="State">{STATE_LABELS[f.state]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Fragment>
    ),
  });
}

export function SafetyFlagPage(props: {
  staff: StaffContext;
  flag: WorklistRow;
  errors?: Errors;
  values?: Values;
  saved?: string | undefined;
}) {
  const f = props.flag;
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  const rule = (FLAG_RULES as Record<string, (typeof FLAG_RULES)[FlagKind] | undefined>)[f.kind];
  const finding = detailWords(f);
  return StaffLayout({
    title: 'Safety flag',
    staff: props.staff,
    path: '/staff/safety',
    children: (
      <Fragment>
        <p class="setup-back">
          <a href="/staff/safety">← Safety worklist</a>
        </p>
        <h1>
          {kindLabel(f.kind)} <Badges flag={f} />
        </h1>
        <Saved message={props.saved} />
        <ErrorSummary errors={errors} />
        <dl class="flag-facts">
          <dt>Patient</dt>
          <dd>
            <a href={clinicalHref(f.patient_id, 'record')}>
              {f.first_name} {f.last_name}
            </a>{' '}
            · {f.location_name}
          </dd>
          <dt>Raised</dt>
          <dd>
            {formatDateTime(f.raised_at, f.time_zone)}, from the {SOURCE_LABELS[f.source] ?? f.source}
          </dd>
          {finding ? (
            <Fragment>
              <dt>Finding</dt>
              <dd>{finding}</dd>
            </Fragment>
          ) : null}
          <dt>Owner</dt>
          <dd>{f.owner_name ? `${f.owner_name}, since ${formatDateTime(f.owned_at!, f.time_zone)}` : 'No one yet'}</dd>
          <dt>State</dt>
          <dd>{STATE_LABELS[f.state]}</dd>
          {rule ? (
            <Fragment>
              <dt>Rule</dt>
              <dd>
                {rule.source} {rule.unverified ? <span class="badge badge-unverified">Unverified</span> : null}
              </dd>
            </Fragment>
          ) : null}
        </dl>
        {f.state === 'closed' ? (
          <section aria-labelledby="closed-title">
            <h2 id="closed-title">Closed</h2>
            <p>
              By {f.resolved_by_name ?? 'a clinician'}, {formatDateTime(f.resolved_at!, f.time_zone)}.{' '}
              {f.action ? `Action: ${CLOSE_ACTIONS[f.action] ?? f.action}.` : 'Closed before actions were recorded.'}
            </p>
            <p class="assessment">{f.assessment}</p>
          </section>
        ) : (
          <Fragment>
            <form class="form" method="post" action={`/staff/safety/${f.id}/take`}>
              <Csrf token={props.staff.csrfToken} />
              <button class="button button-secondary" type="submit">
                {f.owner_name ? 'Take over this flag' : 'Take this flag for review'}
              </button>
            </form>
            <form class="form" method="post" action={`/staff/safety/${f.id}/close`} novalidate>
              <Csrf token={props.staff.csrfToken} />
              <h2>Record the assessment and close</h2>
              {f.holds ? (
                <p>
                  <strong>Closing this flag lifts the hold:</strong> infusions can be booked and started again.
                </p>
              ) : null}
              <div class="field">
                <label for="assessment">Assessment</label>
                <span class="hint" id="assessment-hint">
                  What was assessed, with whom, and what was decided.
                </span>
                <FieldError id="assessment" message={errors.assessment} />
                <textarea
                  id="assessment"
                  name="assessment"
                  rows="5"
                  {...invalid('assessment', errors, 'assessment-hint')}
                >
                  {values.assessment ?? ''}
                </textarea>
              </div>
              <Select
                name="action"
                label="Action taken"
                values={values}
                errors={errors}
                options={[
                  ['', 'Choose…'],
                  ...closeActions(props.staff.role, f).map((c): [string, string] => [c, CLOSE_ACTIONS[c] ?? c]),
                ]}
              />
              <button class="button" type="submit">
                Close the flag
              </button>
            </form>
          </Fragment>
        )}
      </Fragment>
    ),
  });
}
