import type { StaffContext } from '../kernel/http/policy.ts';
import { LOGO_MAX_BYTES } from '../kernel/ui/brand/logo.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { Errors, Values } from './forms.ts';
import { FieldError, Input, invalid, SetupFrame } from './ui.tsx';

export function ClinicPage(p: {
  staff: StaffContext;
  values: Values;
  logo: string | undefined;
  errors: Errors;
  saved?: string;
}) {
  const f = { values: p.values, errors: p.errors };
  return SetupFrame({
    staff: p.staff,
    title: 'Clinic settings',
    saved: p.saved,
    errors: p.errors,
    children: (
      <Fragment>
        <form class="form" method="post" action="/staff/setup/clinic" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Clinic name" {...f} />
          <Input
            name="tagline"
            label="Tagline"
            hint="One plain line shown under the clinic name on the public site, e.g. Specialist care for CRPS."
            {...f}
          />
          <Input
            name="accent"
            label="Accent color"
            hint="Six hex digits, like #0d5c61. Used for the header, links and buttons of the public site and this workspace, and in emails. It must keep text readable: white text on it, and links in it, need a contrast of at least 4.5:1 (WCAG 2.1 AA)."
            extra={{ autocomplete: 'off', spellcheck: 'false' }}
            {...f}
          />
          <Input name="phone" label="Main phone number" type="tel" {...f} />
          <Input name="email" label="Email address patients write to" type="email" {...f} />
          <Input
            name="reminders"
            label="Reminder emails (hours before the visit)"
            hint="Whole hours separated by commas, each from 1 to 336, e.g. 48, 2. Leave empty to send no reminders."
            {...f}
          />
          <Input
            name="cancel_cutoff"
            label="Online cancellation cutoff (hours before the visit)"
            hint="0 to 168. Patients can reschedule or cancel online until then."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="horizon"
            label="Booking horizon (days ahead)"
            hint="How far ahead patients can book online: 7 to 180 days."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <Input
            name="link_days"
            label="Booking-link lifetime (days)"
            hint="How long an emailed booking link works: 1 to 60 days."
            extra={{ inputmode: 'numeric' }}
            {...f}
          />
          <button class="button" type="submit">
            Save clinic settings
          </button>
        </form>
        <LogoSection csrf={p.staff.csrfToken} logo={p.logo} errors={p.errors} />
      </Fragment>
    ),
  });
}

/** The logo part of the clinic settings page: the current logo, an upload form and a way to remove it. */
export function LogoSection(props: { csrf: string; logo: string | undefined; errors: Errors }) {
  const { errors } = props;
  return (
    <section aria-labelledby="logo-heading">
      <h2 id="logo-heading">Logo</h2>
      {props.logo ? (
        <Fragment>
          <p>Shown in the site header (in place of the clinic name), the staff header and emails:</p>
          <p>
            <img class="logo-preview" src={props.logo} alt="The clinic's current logo" />
          </p>
        </Fragment>
      ) : (
        <p>No logo: the site header shows the clinic name as text.</p>
      )}
      <form class="form" method="post" action="/staff/setup/clinic/logo" enctype="multipart/form-data" novalidate>
        <Csrf token={props.csrf} />
        <div class="field">
          <label for="logo">{props.logo ? 'Replace the logo' : 'Upload a logo'}</label>
          <span class="hint" id="logo-hint">
            {`A PNG or JPEG file of at most ${LOGO_MAX_BYTES / 1024} KB, ideally about 100 pixels high, on a white or transparent background. SVG is not accepted.`}
          </span>
          <FieldError id="logo" message={errors.logo} />
          <input
            id="logo"
            name="logo"
            type="file"
            accept="image/png,image/jpeg"
            {...invalid('logo', errors, 'logo-hint')}
          />
        </div>
        <button class="button" type="submit">
          Upload logo
        </button>
      </form>
      {props.logo ? (
        <form class="form" method="post" action="/staff/setup/clinic/logo/remove">
          <Csrf token={props.csrf} />
          <button class="button button-secondary" type="submit">
            Remove the logo
          </button>
        </form>
      ) : null}
    </section>
  );
}
