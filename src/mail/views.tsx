import { h, Fragment } from '../kernel/ui/jsx.ts';
import { shortDateTime } from '../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { CAUSES } from '../kernel/outbox/banner.tsx';
import type { MailOverview } from './service.ts';

/** What each kind of message is, in the clinic's words (a kind added later shows as its code until named here). */
const KIND_NAMES: Record<string, string> = {
  booking_link: 'Booking link',
  booking_confirmed: 'Booking confirmation',
  booking_rescheduled: 'New time confirmation',
  booking_cancelled: 'Cancellation confirmation',
  appointment_reminder: 'Appointment reminder',
  waitlist_offer: 'Waiting-list offer',
  staff_enrolment: 'Staff enrolment link',
  staff_password_reset: 'Staff password reset',
  sign_in_limit_notice: 'Sign-in limit notice',
  emergency_access_notice: 'Emergency access notice',
};
export const kindName = (kind: string) => KIND_NAMES[kind] ?? kind;

function age(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}

export function MailPage(p: { staff: StaffContext; overview: MailOverview; notice?: string }) {
  const { stats, failed } = p.overview;
  return StaffLayout({
    title: 'Mail',
    staff: p.staff,
    path: '/staff/mail',
    children: (
      <Fragment>
        <h1>Mail</h1>
        {p.notice ? (
          <div class="notice notice-success" role="status">
            <p>{p.notice}</p>
          </div>
        ) : null}
        <p>
          Relief keeps every message until it is delivered. A message that cannot be delivered is tried again, less
          often as time passes (at most an hour apart), until its retry window ends; then it is listed here as failed,
          and on every staff page, until someone sends it again.
        </p>
        <h2>Waiting to go out</h2>
        <dl class="summary-list">
          <div>
            <dt>Due now</dt>
            <dd>{String(stats.due)}</dd>
          </div>
          <div>
            <dt>Oldest has waited</dt>
            <dd>{stats.due > 0 ? age(stats.oldestDueSeconds) : '—'}</dd>
          </div>
          <div>
            <dt>Failed at least once, trying again</dt>
            <dd>{String(stats.retrying)}</dd>
          </div>
        </dl>
        <h2>Failed</h2>
        {failed.length === 0 ? (
          <p>No message has failed.</p>
        ) : (
          <Fragment>
            <form method="post" action="/staff/mail/retry-all" class="inline-form">
              <Csrf token={p.staff.csrfToken} />
              <button class="button" type="submit">
                Retry all {String(failed.length)}
              </button>
            </form>
            <ul class="mail-failures" aria-label="Messages not delivered (addresses are hidden)">
              {failed.map((m) => (
                <li class="card">
                  <h3>
                    {kindName(m.kind)} · {m.locationName ?? 'Staff mail'}
                  </h3>
                  <dl class="mail-facts">
                    <div>
                      <dt>Due</dt>
                      <dd>{shortDateTime(m.first_due_at ?? m.run_at, m.zone)}</dd>
                    </div>
                    <div>
                      <dt>Failed</dt>
                      <dd>{m.failed_at === null ? '—' : shortDateTime(m.failed_at, m.zone)}</dd>
                    </div>
                    <div>
                      <dt>Why</dt>
                      <dd>
                        {m.failure_class
                          ? `${CAUSES[m.failure_class][0]!.toUpperCase()}${CAUSES[m.failure_class].slice(1)}.`
                          : 'Unknown.'}
                        {m.last_error ? <span class="mail-error">{m.last_error}</span> : null}
                      </dd>
                    </div>
                  </dl>
                  <form method="post" action={`/staff/mail/${m.id}/retry`} class="inline-form">
                    <Csrf token={p.staff.csrfToken} />
                    <button class="button button-small" type="submit">
                      Retry
                      <span class="visually-hidden">
                        {' '}
                        the {kindName(m.kind).toLowerCase()} for {m.locationName ?? 'staff'}
                      </span>
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </Fragment>
        )}
      </Fragment>
    ),
  });
}
