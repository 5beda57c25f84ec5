import { h } from './jsx.ts';
import { DEFAULT_BRAND } from './brand/brand.ts';
import type { Clinic } from '../clinic.ts';
import { Layout } from './site-layout.tsx';
import { StaffLayout } from './staff-layout.tsx';
import type { StaffContext } from '../http/policy.ts';

const FALLBACK: Clinic = {
  name: 'Relief',
  tagline: '',
  phone: '',
  email: '',
  reminderOffsetsMin: [],
  cancelCutoffMin: 0,
  bookingHorizonDays: 0,
  bookingLinkDays: 0,
  brand: DEFAULT_BRAND,
};

const TITLES: Record<number, string> = {
  400: 'We could not use that request',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Already done',
  410: 'This link is no longer valid',
  413: 'Too large',
  429: 'Please slow down',
};

/**
 * `staff`: the page is for a signed-in staff member, who is sent back to the workspace, not to the patients' pages;
 * once fully signed in, inside the workspace's own frame (its navigation, not the site's "Request a consultation").
 */
export function ErrorPage(props: {
  clinic: Clinic | undefined;
  status: number;
  message: string;
  staff?: StaffContext | undefined;
}) {
  const clinic = props.clinic ?? FALLBACK;
  const title =
    TITLES[props.status] ?? (props.status >= 500 ? 'Something went wrong' : 'We could not use that request');
  if (props.staff?.stage === 'active') {
    return StaffLayout({
      title,
      staff: props.staff,
      children: (
        <div class="narrow">
          <h1>{title}</h1>
          <p class="lead">{props.message}</p>
          <p>
            <a href="/staff">Back to your workspace</a>. If you need this page for your work, ask an administrator.
          </p>
        </div>
      ),
    });
  }
  return (
    <Layout title={title} clinic={clinic}>
      <div class="wrap narrow">
        <h1>{title}</h1>
        <p class="lead">{props.message}</p>
        {props.staff ? null : clinic.phone ? (
          <p>
            If you need help, call us at <a href={`tel:${clinic.phone.replace(/[^+\d]/g, '')}`}>{clinic.phone}</a>.
          </p>
        ) : null}
        {props.staff ? (
          <p>
            <a href="/staff">Back to your workspace</a>. If you need this page for your work, ask an administrator.
          </p>
        ) : (
          <p>
            <a href="/">Go to the home page</a> or <a href="/consultation">request a consultation</a>.
          </p>
        )}
      </div>
    </Layout>
  );
}
