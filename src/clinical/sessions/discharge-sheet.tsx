/**
 * The discharge sheet handed to the patient: the day's times, the escort, and the after-care instructions (data, the
 * clinic's own wording) with the location's phone. Printable: the staff chrome is hidden in print.
 */
import { h } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDay, formatTime } from '../../kernel/time/format.ts';
import { ClinicalFrame } from '../patient-frame.tsx';
import type { DischargeSheet } from './discharge-read.ts';
import { sessionHref } from './views.tsx';

export function DischargeSheetPage(props: { staff: StaffContext; sheet: DischargeSheet }) {
  const { patient, session, visit, settings } = props.sheet;
  const zone = visit.timeZone;
  return ClinicalFrame({
    staff: props.staff,
    patient,
    tab: 'sessions',
    title: 'Discharge sheet',
    children: (
      <article class="discharge-sheet">
        <p class="print-hint discharge-sheet-actions">
          <a href={sessionHref(patient.id, session.id)}>← Back to the session</a>. Print this page with your browser’s
          Print command; the staff menus are left off the paper.
          {props.sheet.settingsUnverified ? ' The wording is the unverified shipped default.' : ''}
        </p>
        <h2>After your infusion</h2>
        <p>
          {patient.first_name} {patient.last_name}, {formatDay(visit.startsAt, zone)} at {visit.locationName}.
        </p>
        <p>
          {session.started_at !== null ? `Your infusion started at ${formatTime(session.started_at, zone)}` : ''}
          {session.stopped_at !== null ? ` and ended at ${formatTime(session.stopped_at, zone)}.` : '.'}
          {props.sheet.escort ? ` ${props.sheet.escort} is taking you home.` : ''}
        </p>
        <h3>Today and tonight</h3>
        <p>{settings.noDriving}</p>
        <h3>What to watch for</h3>
        <ul>
          {settings.watchFor.map((w) => (
            <li>{w}</li>
          ))}
        </ul>
        <h3>Whom to call</h3>
        <p>{settings.whenToCall}</p>
        <p class="discharge-sheet-phone">
          {visit.locationName}: <strong>{props.sheet.locationPhone}</strong>
        </p>
      </article>
    ),
  });
}
