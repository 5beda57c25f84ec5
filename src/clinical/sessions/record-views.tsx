/**
 * The session record as written at discharge: times, drug given, vitals, alerts, side effects, medications, the
 * Aldrete score, who discharged the patient and the escort; the supervising provider's co-signature; addenda.
 * Free text (actions, reasons, addenda) renders as text.
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDateTime, formatTime } from '../../kernel/time/format.ts';
import { FieldError, Input, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { ALDRETE_ITEMS } from '../instruments/aldrete.ts';
import { alertWords } from './alerts-read.ts';
import { alertWords as alertName } from './board-views.tsx';
import type { SessionRecordView } from './discharge-read.ts';
import type { SessionView } from './read.ts';
import { sessionHref } from './views.tsx';

const PHASES = { pre: 'Before', infusion: 'Infusion', recovery: 'Recovery' } as const;
const dash = (v: number | null) => (v === null ? '—' : String(v));

export function RecordSection(props: {
  staff: StaffContext;
  view: SessionView;
  record: SessionRecordView;
  values: Values;
  errors: Errors;
}) {
  const { record, values, errors } = props;
  const s = record.summary;
  const zone = props.view.visit.timeZone;
  const t = (at: number | null) => (at === null ? '—' : formatTime(at, zone));
  const base = sessionHref(props.view.patient.id, props.view.session.id);
  const mayCosign =
    props.staff.role === 'provider' &&
    record.row.cosigned_at === null &&
    (!record.cosigner.supervised || record.cosigner.userId === props.staff.userId);
  return (
    <section class="session-record" aria-labelledby="record-heading">
      <h2 id="record-heading">Session record</h2>
      <p class={record.row.cosigned_at === null ? 'record-unsigned' : 'record-signed'}>
        {record.row.cosigned_at === null
          ? 'Awaiting the supervising provider’s co-signature.'
          : `Co-signed by ${record.cosignedBy ?? 'a provider'} on ${formatDateTime(record.row.cosigned_at, zone)}. It cannot be changed; corrections are addenda.`}
      </p>
      <dl class="session-facts">
        <dt>Checked in</dt>
        <dd>{t(s.checkedInAt)}</dd>
        <dt>Infusion</dt>
        <dd>
          {t(s.startedAt)} to {t(s.stoppedAt)} ({String(s.runningMinutes)} min running)
          {s.stoppedEarly ? ', stopped early' : ''}
        </dd>
        {s.stopReason ? (
          <Fragment>
            <dt>Stop reason</dt>
            <dd>{s.stopReason}</dd>
          </Fragment>
        ) : null}
        <dt>Ketamine given</dt>
        <dd>
          {String(s.totalMg)} mg; highest rate {String(s.highestMgPerHour)} mg/h
        </dd>
        <dt>Aldrete score</dt>
        <dd>
          {s.aldrete
            ? `${s.aldrete.score} (at least ${s.aldrete.atLeast} needed), by ${s.aldrete.by} at ${t(s.aldrete.at)}`
            : 'Not taken'}
        </dd>
        <dt>Discharged</dt>
        <dd>
          {t(s.dischargedAt)} by {s.dischargedBy}
        </dd>
        <dt>Escort</dt>
        <dd>{s.escort ?? 'None confirmed'}</dd>
        {s.override ? (
          <Fragment>
            <dt>Override</dt>
            <dd>
              By {s.override.provider}: {s.override.reason}
            </dd>
          </Fragment>
        ) : null}
      </dl>
      {s.aldrete ? (
        <p class="hint">
          Aldrete items:{' '}
          {ALDRETE_ITEMS.map((i) => `${i.label} ${dash((s.aldrete?.items[i.key] as number | undefined) ?? null)}`).join(
            ', ',
          )}
        </p>
      ) : null}
      <div class="table-scroll" role="region" aria-labelledby="record-vitals-caption" tabindex="0">
        <table class="data-table">
          <caption id="record-vitals-caption">Vitals</caption>
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">Phase</th>
              <th scope="col">BP (mmHg)</th>
              <th scope="col">Heart rate</th>
              <th scope="col">SpO₂ %</th>
              <th scope="col">Breaths/min</th>
              <th scope="col">Sedation</th>
              <th scope="col">Dissociation</th>
            </tr>
          </thead>
          <tbody>
            {s.vitals.map((r) => (
              <tr>
                <td>{t(r.takenAt)}</td>
                <td>{PHASES[r.phase]}</td>
                <td>
                  {String(r.vitals.systolic)}/{String(r.vitals.diastolic)}
                </td>
                <td>{String(r.vitals.heartRate)}</td>
                <td>{String(r.vitals.spo2)}</td>
                <td>{String(r.vitals.respiratoryRate)}</td>
                <td>{dash(r.vitals.sedation)}</td>
                <td>{dash(r.vitals.dissociation)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Alerts</h3>
      {s.alerts.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {s.alerts.map((a) => (
            <li>
              {t(a.raisedAt)}:{' '}
              {a.detail === undefined ? `${alertName(a)}.` : alertWords({ ...a, detail: a.detail }, zone)}{' '}
              {a.acknowledgedAt === null
                ? 'Not acknowledged.'
                : `Acknowledged by ${a.acknowledgedBy ?? 'a colleague'} at ${t(a.acknowledgedAt)}: ${a.action ?? ''}`}
              {a.escalatedAt === null ? '' : ` Escalated at ${t(a.escalatedAt)}.`}
            </li>
          ))}
        </ul>
      )}
      <h3>Side effects</h3>
      {s.sideEffects.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ul>
          {s.sideEffects.map((e) => (
            <li>
              {t(e.at)}: {e.effect}, grade {String(e.grade)}; {e.action}
            </li>
          ))}
        </ul>
      )}
      <h3>Medications</h3>
      {s.medications.length === 0 ? (
        <p>None given.</p>
      ) : (
        <ul>
          {s.medications.map((m) => (
            <li>
              {t(m.at)}: {m.drug} {String(m.doseMg)} mg {m.route}; {m.reason}
            </li>
          ))}
        </ul>
      )}
      {mayCosign ? (
        <form method="post" action={`${base}/record-cosign`} class="record-cosign">
          <Csrf token={props.staff.csrfToken} />
          <h3>Co-sign</h3>
          <Input
            name="cosign_code"
            label="Your authenticator code"
            values={{}}
            errors={errors}
            hint="The 6 digits your authenticator app shows now"
            extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
          />
          <button type="submit" class="button discharge-button">
            Co-sign the record
          </button>
        </form>
      ) : null}
      <h3>Addenda</h3>
      {record.addenda.length === 0 ? (
        <p>None.</p>
      ) : (
        <ol class="record-addenda">
          {record.addenda.map((a) => (
            <li>
              <p class="addendum-text">{a.text}</p>
              <p class="hint">
                Signed by {a.author}, {formatDateTime(a.signedAt, zone)}
              </p>
            </li>
          ))}
        </ol>
      )}
      <form method="post" action={`${base}/record-addendum`} class="record-addendum">
        <Csrf token={props.staff.csrfToken} />
        <div class="field">
          <label for="addendum">Add an addendum (a correction or a note)</label>
          <FieldError id="addendum" message={errors.addendum} />
          <textarea id="addendum" name="addendum" rows="3" maxlength="2000" {...invalid('addendum', errors)}>
            {values.addendum ?? ''}
          </textarea>
        </div>
        <Input
          name="addendum_code"
          label="Your authenticator code"
          values={{}}
          errors={errors}
          hint="Signs the addendum"
          extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
        />
        <button type="submit" class="button">
          Sign and add
        </button>
      </form>
    </section>
  );
}
