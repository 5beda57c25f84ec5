import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Pager } from '../kernel/ui/pager.tsx';
import { StaffLayout } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { AuditListRow } from '../kernel/audit/read.ts';
import { toCsv } from '../kernel/audit/csv.ts';
import type { AuditFilterValues } from './schema.ts';
import { PATIENT_ROLE } from '../kernel/audit/patient-audit.ts';

export interface AuditPageProps {
  staff: StaffContext;
  filters: AuditFilterValues;
  rows: AuditListRow[];
  page: number;
  pageSize: number;
  prevHref: string | undefined;
  nextHref: string | undefined;
  csvHref: string;
  exportLimit: number;
}

const OUTCOME_LABELS: Record<string, string> = { success: 'Success', denied: 'Denied', failure: 'Failure' };

/** 2026-03-02 15:00:07 UTC */
export function formatAuditTime(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function DetailCell(props: { detail: string }) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(props.detail);
  } catch {
    return <code>{props.detail}</code>;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return <code>{props.detail}</code>;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) return <span class="hint">—</span>;
  return (
    <dl class="audit-detail">
      {entries.map(([key, value]) => (
        <Fragment>
          <dt>{key}</dt>
          {/* eslint-disable-next-line @typescript-eslint/no-base-to-string -- audit details are flat scalars (AuditDetail) */}
          <dd>{value === null ? 'null' : String(value)}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function Person(props: { row: AuditListRow }) {
  const { row } = props;
  // Patients act through their emailed links and the public form: no account, so no id, but not anonymous either.
  if (!row.actor_id && row.actor_role === PATIENT_ROLE) return <Fragment>Patient (self-service)</Fragment>;
  if (!row.actor_id) return <span class="hint">System or anonymous</span>;
  if (!row.actor_email) return <code>{row.actor_id}</code>;
  return (
    <Fragment>
      {row.actor_name ?? row.actor_email}
      <br />
      <small>{row.actor_email}</small>
    </Fragment>
  );
}

function Field(props: {
  id: string;
  label: string;
  hint?: string;
  type?: string;
  value: string | undefined;
  inputmode?: string;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={hintId}>
          {props.hint}
        </span>
      ) : null}
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        aria-describedby={hintId}
        autocomplete="off"
        spellcheck={props.type === 'date' ? undefined : 'false'}
      />
    </div>
  );
}

export function AuditPage(props: AuditPageProps) {
  const { filters, rows } = props;
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const datesReversed = filters.from !== undefined && filters.to !== undefined && filters.from > filters.to;
  const first = (props.page - 1) * props.pageSize + 1;
  return StaffLayout({
    title: 'Audit trail',
    staff: props.staff,
    path: '/staff/audit',
    children: (
      <Fragment>
        <h1>Audit trail</h1>
        <p>
          Every sign-in, every look at a patient's record and every change is recorded here. The trail cannot be edited
          or deleted, and each event is chained to the one before it, so tampering shows.
        </p>

        <form class="form filters" method="get" action="/staff/audit" role="search" aria-label="Filter audit events">
          <Field
            id="person"
            label="Person"
            hint="A staff member's email address or user id, or “patient” for what patients did themselves."
            value={filters.person}
          />
          <Field
            id="patient_ref"
            label="Patient or request reference"
            hint="The consultation request or patient id; a patient id also finds the events of that patient's requests."
            value={filters.patient_ref}
          />
          <Field
            id="action"
            label="Action"
            hint="For example lead.view, sign_in or access_denied; lead matches every lead action."
            value={filters.action}
          />
          <Field id="from" label="From (UTC day)" type="date" hint="Format 2026-03-10." value={filters.from} />
          <Field id="to" label="To (UTC day, included)" type="date" hint="Format 2026-03-10." value={filters.to} />
          <p>
            <button class="button" type="submit">
              Show events
            </button>{' '}
            {filtered ? (
              <a class="button button-secondary" href="/staff/audit">
                Clear filters
              </a>
            ) : null}
          </p>
        </form>

        {datesReversed ? (
          <div class="notice notice-warning" role="status">
            <p>The "From" day is after the "To" day, so no event can match.</p>
          </div>
        ) : null}

        <p>
          <a href={props.csvHref} download>
            Download these events as CSV
          </a>{' '}
          <span class="hint">
            (all pages, up to {props.exportLimit.toLocaleString('en-US')} events; the download is itself recorded)
          </span>
        </p>

        {rows.length === 0 ? (
          <p role="status">
            {props.page > 1 ? 'There are no more events on this page.' : 'No events match these filters.'}
          </p>
        ) : (
          <div class="table-scroll" role="region" aria-labelledby="audit-caption" tabindex="0">
            <table class="mailbox audit-table">
              <caption id="audit-caption">
                Audit events {first}–{first + rows.length - 1}
                {filtered ? ' matching the filters' : ''}, newest first (times in UTC)
              </caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Action</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Patient or request</th>
                  <th scope="col">Location</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr>
                    <td>{row.seq}</td>
                    <td>
                      <time datetime={new Date(row.at).toISOString()}>{formatAuditTime(row.at)}</time>
                    </td>
                    <td>
                      <Person row={row} />
                    </td>
                    <td>{row.actor_role ?? '—'}</td>
                    <td>
                      <code>{row.action}</code>
                    </td>
                    <td>
                      {row.outcome === 'success' ? (
                        OUTCOME_LABELS.success
                      ) : (
                        <strong>{OUTCOME_LABELS[row.outcome] ?? row.outcome}</strong>
                      )}
                    </td>
                    <td>{row.patient_ref ? <code>{row.patient_ref}</code> : '—'}</td>
                    <td>{row.location_id ?? '—'}</td>
                    <td>{row.ip ?? '—'}</td>
                    <td>
                      <DetailCell detail={row.detail} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <Pager
          label="Audit pages"
          page={props.page}
          prevHref={props.prevHref}
          nextHref={props.nextHref}
          prevText="Newer events"
          nextText="Older events"
        />
      </Fragment>
    ),
  });
}

export const AUDIT_CSV_HEADER = [
  'seq',
  'at_utc',
  'at_ms',
  'actor_id',
  'actor_email',
  'actor_role',
  'action',
  'outcome',
  'patient_ref',
  'location_id',
  'ip',
  'detail',
  'prev_hash',
  'hash',
];

/** The export: one line per event, every stored field plus the actor's email, times in UTC and in milliseconds. */
export function auditCsv(rows: AuditListRow[]): string {
  return toCsv(
    AUDIT_CSV_HEADER,
    rows.map((r) => [
      r.seq,
      new Date(r.at).toISOString(),
      r.at,
      r.actor_id,
      r.actor_email,
      r.actor_role,
      r.action,
      r.outcome,
      r.patient_ref,
      r.location_id,
      r.ip,
      r.detail,
      r.prev_hash,
      r.hash,
    ]),
  );
}
