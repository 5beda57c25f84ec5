import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { Errors, Values } from './forms.ts';
import type { ConflictRow } from './impact.ts';
import { FieldError, Input, invalid, SetupFrame } from './ui.tsx';

/** The zones most US clinics need; anything else valid can be typed in. */
export const COMMON_ZONES: Array<[string, string]> = [
  ['America/New_York', 'Eastern (New York)'],
  ['America/Detroit', 'Eastern (Detroit)'],
  ['America/Indiana/Indianapolis', 'Eastern (Indianapolis)'],
  ['America/Chicago', 'Central (Chicago)'],
  ['America/Denver', 'Mountain (Denver)'],
  ['America/Boise', 'Mountain (Boise)'],
  ['America/Phoenix', 'Arizona, no daylight saving (Phoenix)'],
  ['America/Los_Angeles', 'Pacific (Los Angeles)'],
  ['America/Anchorage', 'Alaska (Anchorage)'],
  ['Pacific/Honolulu', 'Hawaii (Honolulu)'],
  ['America/Puerto_Rico', 'Atlantic (Puerto Rico)'],
];
export const OTHER_ZONE = 'other';

export interface LocationSummary {
  id: string;
  name: string;
  city: string;
  time_zone: string;
}

export function LocationsPage(p: { staff: StaffContext; locations: LocationSummary[] }) {
  return SetupFrame({
    staff: p.staff,
    title: 'Locations',
    children: (
      <Fragment>
        <div class="table-scroll">
          <table class="mailbox">
            <caption>Clinic locations</caption>
            <thead>
              <tr>
                <th scope="col">Location</th>
                <th scope="col">City</th>
                <th scope="col">Time zone</th>
                <th scope="col">Set-up</th>
              </tr>
            </thead>
            <tbody>
              {p.locations.map((l) => (
                <tr>
                  <td>
                    <a href={`/staff/setup/locations/${l.id}`}>{l.name}</a>
                  </td>
                  <td>{l.city}</td>
                  <td>{l.time_zone}</td>
                  <td>
                    <a href={`/staff/setup/locations/${l.id}/hours`}>Opening hours</a> ·{' '}
                    <a href={`/staff/setup/locations/${l.id}/closures`}>Closures</a> ·{' '}
                    <a href={`/staff/setup/locations/${l.id}/rooms`}>Rooms and chairs</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <a class="button" href="/staff/setup/locations/new">
            Add a location
          </a>
        </p>
      </Fragment>
    ),
  });
}

export interface LocationFormProps {
  staff: StaffContext;
  /** Undefined for a new location. */
  location?: { id: string; name: string };
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}

export function LocationFormPage(p: LocationFormProps) {
  const { values, errors } = p;
  const f = { values, errors };
  const action = p.location ? `/staff/setup/locations/${p.location.id}` : '/staff/setup/locations';
  const chosen = values.time_zone ?? '';
  return SetupFrame({
    staff: p.staff,
    title: p.location ? p.location.name : 'Add a location',
    back: { href: '/staff/setup/locations', label: 'Locations' },
    saved: p.saved,
    conflicts: p.conflicts,
    errors,
    children: (
      <Fragment>
        {p.location ? (
          <p>
            Also: <a href={`/staff/setup/locations/${p.location.id}/hours`}>opening hours</a>,{' '}
            <a href={`/staff/setup/locations/${p.location.id}/closures`}>closures</a>,{' '}
            <a href={`/staff/setup/locations/${p.location.id}/rooms`}>rooms and chairs</a>.
          </p>
        ) : null}
        <form class="form" method="post" action={action} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Name" hint="As patients see it, e.g. Chicago – River North." {...f} />
          <Input
            name="slug"
            label="Short name for web addresses"
            hint="Lower-case letters, digits and hyphens, no spaces, e.g. river-north."
            {...f}
          />
          <Input name="address_line" label="Street address" {...f} />
          <Input name="city" label="City" {...f} />
          <Input name="region" label="State" {...f} />
          <Input name="postal_code" label="ZIP code" {...f} />
          <Input name="phone" label="Phone" type="tel" {...f} />
          <fieldset class="field">
            <legend>Time zone</legend>
            <span class="hint" id="time_zone-hint">
              Opening hours, closures and schedules are read in this zone.
            </span>
            <FieldError id="time_zone" message={errors.time_zone} />
            <label for="time_zone">Zone</label>
            <select id="time_zone" name="time_zone" {...invalid('time_zone', errors, 'time_zone-hint')}>
              {COMMON_ZONES.map(([zone, label]) => (
                <option value={zone} selected={chosen === zone}>
                  {label}
                </option>
              ))}
              <option value={OTHER_ZONE} selected={chosen === OTHER_ZONE}>
                Another zone (type it below)
              </option>
            </select>
            <FieldError id="time_zone_other" message={errors.time_zone_other} />
            <label for="time_zone_other">Another zone (IANA name, e.g. America/Kentucky/Louisville)</label>
            <input
              id="time_zone_other"
              name="time_zone_other"
              value={values.time_zone_other ?? ''}
              {...invalid('time_zone_other', errors)}
            />
          </fieldset>
          <Input
            name="directions_url"
            label="Directions link"
            hint="A map link starting with https://."
            type="url"
            {...f}
          />
          <button class="button" type="submit">
            {p.location ? 'Save location' : 'Add location'}
          </button>
        </form>
      </Fragment>
    ),
  });
}
