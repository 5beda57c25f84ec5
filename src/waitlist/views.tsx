import { h } from '../kernel/ui/jsx.ts';
import type { Clinic, Location } from '../kernel/clinic.ts';
import { Layout } from '../kernel/ui/site-layout.tsx';
import { formatDateTime, zoneName } from '../kernel/time/format.ts';

export function OfferPage(p: { clinic: Clinic; location: Location; start: number; action: string; firstName: string }) {
  return (
    <Layout title="A consultation time opened up" clinic={p.clinic} hideCta>
      <div class="wrap narrow">
        <h1>A consultation time opened up</h1>
        <p class="lead">Hello {p.firstName}. This time is free now:</p>
        <dl class="summary-list">
          <dt>When</dt>
          <dd>{formatDateTime(p.start, p.location.time_zone)}</dd>
          <dt>Time zone</dt>
          <dd>{zoneName(p.location.time_zone, p.start)}</dd>
          <dt>Where</dt>
          <dd>
            {p.location.name}, {p.location.address_line}, {p.location.city}
          </dd>
        </dl>
        <p>We offered it to a few people on the waitlist at the same moment; the first to accept gets it.</p>
        <form method="post" action={p.action}>
          <button class="button" type="submit">
            Book this time
          </button>
        </form>
      </div>
    </Layout>
  );
}

export function OfferGonePage(p: { clinic: Clinic; reason: 'taken' | 'expired' | 'invalid'; bookingLink?: string }) {
  const text = {
    taken:
      'Someone else accepted this time a moment before you. You are still on the waitlist, and we will write again when another time opens up.',
    expired: 'This offer has expired. You are still on the waitlist unless you have booked another time.',
    invalid: 'This link does not work. It may be incomplete; copy the whole link from the email.',
  }[p.reason];
  return (
    <Layout title="This time is no longer available" clinic={p.clinic} hideCta>
      <div class="wrap narrow">
        <h1>{p.reason === 'invalid' ? 'This link does not work' : 'This time is no longer available'}</h1>
        <p class="lead">{text}</p>
        {p.bookingLink ? (
          <p>
            <a href={p.bookingLink}>See all open times</a>
          </p>
        ) : null}
      </div>
    </Layout>
  );
}
