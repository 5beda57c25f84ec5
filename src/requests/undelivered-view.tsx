import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { displayPhone, telHref } from '../kernel/ui/phone.ts';
import { ago, shortDateTime } from './format.ts';
import type { Lead } from './inbox-repository.ts';
import { UNDELIVERED_REASONS, type UndeliveredLink } from './undelivered-link.ts';

/**
 * "Booking link not delivered" on the lead's page: why (in the front desk's words, no address), the phone to call,
 * and the button that records the call. A refusal of that button shows inside the notice, or on its own once the
 * message no longer needs following up.
 */
export function UndeliveredNotice(props: {
  lead: Lead;
  staff: StaffContext;
  now: number;
  undelivered: UndeliveredLink | null;
  error: string | undefined;
}) {
  const { lead, undelivered } = props;
  const error = props.error ? (
    <div class="notice notice-error" role="alert" id="phone-error">
      <p>{props.error}</p>
    </div>
  ) : null;
  if (!undelivered) return error;
  const failedAt = undelivered.failed_at ?? undelivered.run_at;
  const reason = undelivered.failure_class ? UNDELIVERED_REASONS[undelivered.failure_class] : UNDELIVERED_REASONS.other;
  return (
    <section class="notice notice-warning undelivered" aria-labelledby="undelivered-heading">
      <h2 id="undelivered-heading">Booking link not delivered</h2>
      <p>
        The email with their booking link could not be delivered: {reason} Delivery was given up{' '}
        {ago(failedAt, props.now)} (
        <time datetime={new Date(failedAt).toISOString()}>{shortDateTime(failedAt, lead.time_zone)}</time>).
      </p>
      <p>
        Call them at <a href={telHref(lead.phone)}>{displayPhone(lead.phone)}</a> to book, then record the call here. If
        the address is right, you can also resend the booking link below.
      </p>
      {error}
      <form class="inline-form" method="post" action={`/staff/leads/${lead.id}/contacted-by-phone`}>
        <Csrf token={props.staff.csrfToken} />
        <input type="hidden" name="message" value={undelivered.id} />
        <button class="button button-small" type="submit">
          Mark as contacted by phone
        </button>
      </form>
    </section>
  );
}

/** The small marker in the leads list. */
export function UndeliveredTag() {
  return (
    <Fragment>
      <br />
      <strong class="lead-flag">Booking link not delivered</strong>
    </Fragment>
  );
}
