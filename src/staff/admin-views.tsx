import { h, Fragment } from '../kernel/ui/jsx.ts';
import { formatDateTime } from '../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { ROLE_LABELS, ROLES, type StaffContext } from '../kernel/http/policy.ts';
import type { Role } from '../kernel/db/schema.ts';

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  mfa: boolean;
  disabled: boolean;
  locations: string[];
}

export interface UsersPageProps {
  staff: StaffContext;
  users: UserRow[];
  locations: Array<{ id: string; name: string }>;
  values?: Record<string, string | string[]>;
  errors?: Record<string, string>;
  created?: { email: string; link: string };
}

function FieldError(props: { id: string; message?: string }) {
  return props.message ? (
    <p class="field-error" id={`${props.id}-error`}>
      <span class="visually-hidden">Error: </span>
      {props.message}
    </p>
  ) : (
    <Fragment />
  );
}

export function UsersPage(p: UsersPageProps) {
  const v = p.values ?? {};
  const e = p.errors ?? {};
  const chosen = Array.isArray(v.locations) ? v.locations : v.locations ? [v.locations] : [];
  return StaffLayout({
    title: 'Staff accounts',
    staff: p.staff,
    path: '/staff/users',
    children: (
      <Fragment>
        <h1>Staff accounts</h1>
        {p.created ? (
          <div class="notice notice-success" role="status">
            <p>
              Account created for {p.created.email}. We emailed this one-time enrolment link (valid 72 hours); you can
              also hand it over yourself: <code>{p.created.link}</code>
            </p>
          </div>
        ) : null}
        <div class="table-scroll">
          <table class="mailbox">
            <caption>Everyone with access to Relief</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Locations</th>
                <th scope="col">Two-step sign-in</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {p.users.map((u) => (
                <tr>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>{ROLE_LABELS[u.role]}</td>
                  <td>{u.locations.join(', ')}</td>
                  <td>{u.mfa ? 'On' : 'Not set up yet'}</td>
                  <td>
                    <form
                      method="post"
                      action={`/staff/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`}
                      class="inline-form"
                    >
                      <Csrf token={p.staff.csrfToken} />
                      {u.disabled ? 'Disabled ' : 'Active '}
                      {u.id === p.staff.userId ? null : (
                        <button class="button button-small button-secondary" type="submit">
                          {u.disabled ? 'Enable' : 'Disable and sign out'}
                        </button>
                      )}
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>Add a staff member</h2>
        <form class="form" method="post" action="/staff/users" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <div class="field">
            <label for="name">Full name</label>
            <FieldError id="name" message={e.name} />
            <input
              id="name"
              name="name"
              value={String(v.name ?? '')}
              required
              aria-invalid={e.name ? 'true' : undefined}
              aria-describedby={e.name ? 'name-error' : undefined}
            />
          </div>
          <div class="field">
            <label for="email">Work email</label>
            <FieldError id="email" message={e.email} />
            <input
              id="email"
              name="email"
              type="email"
              value={String(v.email ?? '')}
              required
              aria-invalid={e.email ? 'true' : undefined}
              aria-describedby={e.email ? 'email-error' : undefined}
            />
          </div>
          <fieldset class="field radio-group" aria-describedby={e.role ? 'role-error' : undefined}>
            <legend>Role</legend>
            <FieldError id="role" message={e.role} />
            {ROLES.map((r) => (
              <div class="radio">
                <input type="radio" id={`role-${r}`} name="role" value={r} checked={v.role === r} />
                <label for={`role-${r}`}>{ROLE_LABELS[r]}</label>
              </div>
            ))}
          </fieldset>
          <fieldset class="field" aria-describedby={e.locations ? 'locations-error' : undefined}>
            <legend>Works at</legend>
            <p class="hint">Administrators see every location.</p>
            <FieldError id="locations" message={e.locations} />
            {p.locations.map((l) => (
              <div class="checkbox">
                <input
                  type="checkbox"
                  id={`loc-${l.id}`}
                  name="locations"
                  value={l.id}
                  checked={chosen.includes(l.id)}
                />
                <label for={`loc-${l.id}`}>{l.name}</label>
              </div>
            ))}
          </fieldset>
          <button class="button" type="submit">
            Create account and send enrolment link
          </button>
        </form>
      </Fragment>
    ),
  });
}

export interface SessionRow {
  idHash: string;
  name: string;
  email: string;
  role: Role;
  ip: string;
  createdAt: number;
  lastSeenAt: number;
  breakGlassUntil: number | null;
  breakGlassReason: string | null;
}

export function SessionsPage(p: { staff: StaffContext; sessions: SessionRow[] }) {
  return StaffLayout({
    title: 'Active sessions',
    staff: p.staff,
    path: '/staff/sessions',
    children: (
      <Fragment>
        <h1>Active sessions</h1>
        <p>
          Sessions end by themselves after inactivity or at the absolute limit. End one now if a device is lost or
          shared.
        </p>
        <div class="table-scroll">
          <table class="mailbox">
            <caption>Signed-in staff (times in UTC)</caption>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">Emergency access</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {p.sessions.map((s) => (
                <tr>
                  <td>
                    {s.name} ({ROLE_LABELS[s.role]})
                  </td>
                  <td>{s.ip}</td>
                  <td>{formatDateTime(s.createdAt, 'UTC')}</td>
                  <td>{formatDateTime(s.lastSeenAt, 'UTC')}</td>
                  <td>{s.breakGlassUntil ? <strong>Active: {s.breakGlassReason}</strong> : 'No'}</td>
                  <td>
                    <form method="post" action={`/staff/sessions/${s.idHash}/end`} class="inline-form">
                      <Csrf token={p.staff.csrfToken} />
                      <button class="button button-small button-secondary" type="submit">
                        End session
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Fragment>
    ),
  });
}

export function BreakGlassPage(p: { staff: StaffContext; error?: string; reason?: string }) {
  return StaffLayout({
    title: 'Emergency access',
    staff: p.staff,
    path: '/staff/break-glass',
    children: (
      <Fragment>
        <h1>Emergency access</h1>
        <p>
          In an emergency you can open records of every location for the next hour. Administrators are told at once, and
          everything you open is recorded. Use it only when a patient's care needs it.
        </p>
        <form class="form" method="post" action="/staff/break-glass" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <div class="field">
            <label for="reason">Why do you need emergency access?</label>
            <FieldError id="reason" message={p.error} />
            <textarea
              id="reason"
              name="reason"
              rows="3"
              maxlength="200"
              required
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={p.error ? 'reason-error' : undefined}
            >
              {p.reason ?? ''}
            </textarea>
          </div>
          <button class="button" type="submit">
            Start one hour of emergency access
          </button>
        </form>
      </Fragment>
    ),
  });
}
