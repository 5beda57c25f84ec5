import { h, type Child } from './jsx.ts';
import { logoPath, stylesheetPath } from './brand/brand.ts';
import { assetUrl } from './assets.ts';
import { ROLE_LABELS, type StaffContext } from '../http/policy.ts';
import { BackupBanner } from '../backup/banner.tsx';
import { MailBanner } from '../outbox/banner.tsx';

interface NavItem {
  href: string;
  label: string;
  show: (s: StaffContext) => boolean;
  /** A number shown beside the label (and read out with it), when there is one. */
  count?: (s: StaffContext) => number | undefined;
}

const NAV: NavItem[] = [
  { href: '/staff/calendar', label: 'Calendar', show: () => true },
  { href: '/staff/board', label: 'Board', show: () => true },
  { href: '/staff/patients', label: 'Patients', show: () => true },
  { href: '/staff/leads', label: 'Leads', show: (s) => s.role !== 'nurse' },
  {
    href: '/staff/worklist',
    label: 'Worklist',
    show: (s) => s.role === 'provider' || s.role === 'nurse',
    count: (s) => s.worklistOpen,
  },
  { href: '/staff/safety', label: 'Safety', show: (s) => s.role === 'provider' },
  { href: '/staff/break-glass', label: 'Emergency access', show: (s) => s.role === 'provider' },
  { href: '/staff/audit', label: 'Audit trail', show: (s) => s.role === 'admin' },
  {
    href: '/staff/controlled-substances',
    label: 'Controlled substances',
    show: (s) => s.role === 'admin' || s.role === 'provider',
  },
  { href: '/staff/users', label: 'Staff', show: (s) => s.role === 'admin' },
  { href: '/staff/sessions', label: 'Sessions', show: (s) => s.role === 'admin' },
  { href: '/staff/protocols', label: 'Protocols', show: (s) => s.role !== 'front_desk' },
  { href: '/staff/outcomes', label: 'Outcomes', show: (s) => s.role === 'provider' },
  { href: '/staff/mail', label: 'Mail', show: (s) => s.role === 'admin' },
  { href: '/staff/setup', label: 'Clinic set-up', show: (s) => s.role === 'admin' },
  { href: '/staff/clinical-settings', label: 'Clinical settings', show: (s) => s.role === 'admin' },
];

/** The staff workspace frame: navigation by role, who is signed in, sign-out, and the idle time-out notice. */
export function StaffLayout(props: { title: string; staff: StaffContext; path?: string; children?: Child }) {
  const { staff } = props;
  const logo = staff.brand ? logoPath(staff.brand) : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Relief staff`}</title>
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('site.css')} />
        {staff.brand ? <link rel="stylesheet" href={stylesheetPath(staff.brand)} /> : null}
        <script src={assetUrl('staff.js')} defer></script>
      </head>
      <body class="staff" data-idle-ms={String(staff.idleTimeoutMs)}>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="wrap header-inner">
            <a class={logo ? 'brand brand-with-logo' : 'brand'} href="/staff">
              {/* Decorative here: the link's text already names it. */}
              {logo ? <img class="brand-logo" src={logo} alt="" /> : null}
              Relief staff
            </a>
            <nav aria-label="Staff">
              <ul class="nav-list">
                {NAV.filter((n) => n.show(staff)).map((n) => (
                  <li>
                    <a href={n.href} aria-current={props.path === n.href ? 'page' : undefined}>
                      {n.label}
                      {n.count?.(staff) ? (
                        <span class="nav-count">
                          {String(n.count(staff))}
                          <span class="visually-hidden"> open</span>
                        </span>
                      ) : null}
                    </a>
                  </li>
                ))}
                <li>
                  <form method="post" action="/staff/sign-out" class="inline-form">
                    <input type="hidden" name="_csrf" value={staff.csrfToken} />
                    <button class="button button-small button-secondary" type="submit">
                      Sign out
                    </button>
                  </form>
                </li>
              </ul>
            </nav>
          </div>
          {/* Inside the banner landmark, so that no content sits outside a landmark. */}
          <div class="wrap staff-bar" role="note">
            Signed in as <strong>{staff.name}</strong> ({ROLE_LABELS[staff.role]}). For your patients' privacy you are
            signed out after a period without activity.
            {staff.breakGlassUntil ? (
              <strong class="break-glass"> Emergency access is active and audited.</strong>
            ) : null}
          </div>
          {staff.emergencyAccess?.length ? <EmergencyAccessBanner grants={staff.emergencyAccess} /> : null}
          {staff.mail ? <MailBanner state={staff.mail} admin={staff.role === 'admin'} /> : null}
          {staff.role === 'admin' ? <BackupBanner /> : null}
          <div id="idle-warning" class="notice notice-warning wrap" role="alert" hidden>
            <p>
              You will be signed out in about two minutes because of inactivity.{' '}
              <button type="button" class="button button-small" id="idle-stay">
                Stay signed in
              </button>
            </p>
          </div>
        </header>
        <main id="main" tabindex="-1" class="wrap">
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Hidden CSRF field for every state-changing staff form. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/**
 * For administrators, on every staff page while it lasts: who has emergency access and for how much longer (no
 * reason shown here, as it may name a patient; the sessions page and the audit trail have it).
 */
function EmergencyAccessBanner(props: { grants: ReadonlyArray<{ name: string; minutesLeft: number }> }) {
  return (
    <div class="notice notice-warning wrap" role="status" id="emergency-access-alert">
      <p>
        <strong>Emergency access is active.</strong>{' '}
        {props.grants
          .map((g) => `${g.name} (about ${g.minutesLeft} more minute${g.minutesLeft === 1 ? '' : 's'})`)
          .join(', ')}
        . Every record opened is audited. <a href="/staff/sessions">Review the sessions</a>.
      </p>
    </div>
  );
}
