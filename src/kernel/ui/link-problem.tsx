import { h } from './jsx.ts';
import type { Clinic } from '../clinic.ts';
import { Layout } from './site-layout.tsx';

const tel = (phone: string) => `tel:${phone.replace(/[^+\d]/g, '')}`;

/**
 * A booking or offer link that cannot be used (incomplete, expired, unknown, or its request closed), with a form to
 * have a new one sent; also the answer once that form is sent. The booking and waitlist link pages both show it.
 */
export function LinkProblemPage(p: {
  clinic: Clinic;
  reason: 'invalid' | 'expired' | 'unknown' | 'sent' | 'closed';
  error?: string;
  email?: string;
}) {
  if (p.reason === 'closed') {
    return (
      <Layout title="Online booking is closed for this request" clinic={p.clinic}>
        <div class="wrap narrow">
          <h1>Online booking is closed for this request</h1>
          <p class="lead">
            Our team has closed this consultation request after being in touch with you, so it can no longer be booked
            online. If you would like to talk about it, please call us at{' '}
            <a href={tel(p.clinic.phone)}>{p.clinic.phone}</a>.
          </p>
        </div>
      </Layout>
    );
  }
  const heading =
    p.reason === 'expired'
      ? 'This link has expired'
      : p.reason === 'sent'
        ? 'Check your email'
        : 'This link does not work';
  return (
    <Layout title={heading} clinic={p.clinic}>
      <div class="wrap narrow">
        <h1>{heading}</h1>
        {p.reason === 'sent' ? (
          <p class="lead" role="status">
            If we have a consultation request for that address, a new booking link is on its way. It can take a few
            minutes; please also look in your spam folder.
          </p>
        ) : (
          <p class="lead">
            {p.reason === 'expired'
              ? 'Booking links stay valid for a limited time to keep your information safe.'
              : 'The link may be incomplete, or it may have been changed. Copy the whole link from the email, or ask for a new one.'}
          </p>
        )}
        <h2>Get a new link</h2>
        <form class="form" method="post" action="/book/new-link" novalidate>
          <div class="field">
            <label for="email">The email address you used for your request</label>
            {p.error ? (
              <p class="field-error" id="email-error">
                <span class="visually-hidden">Error: </span>
                {p.error}
              </p>
            ) : null}
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="email"
              required
              value={p.email ?? ''}
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={p.error ? 'email-error' : undefined}
            />
          </div>
          <button class="button" type="submit">
            Email me a new link
          </button>
        </form>
        <p>
          Or call us at <a href={tel(p.clinic.phone)}>{p.clinic.phone}</a>.
        </p>
      </div>
    </Layout>
  );
}
