import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { Errors, Values } from './forms.ts';
import type { ConflictRow } from './impact.ts';
import { FieldError, Input, invalid, Select, SetupFrame } from './ui.tsx';

export const ROOM_KINDS: Array<['room' | 'chair', string]> = [
  ['room', 'Consultation room'],
  ['chair', 'Infusion chair'],
];

export interface RoomRow {
  id: string;
  name: string;
  kind: 'room' | 'chair';
  active: number;
}

export interface RoomsPageProps {
  staff: StaffContext;
  location: { id: string; name: string };
  rooms: RoomRow[];
  values: Values;
  errors: Errors;
  saved?: string;
  conflicts?: ConflictRow[];
}

/** Rename field of one room: its key in values and errors. */
export const renameKey = (roomId: string) => `name-${roomId}`;

export function RoomsPage(p: RoomsPageProps) {
  const base = `/staff/setup/locations/${p.location.id}/rooms`;
  const { values, errors } = p;
  return SetupFrame({
    staff: p.staff,
    title: `Rooms and chairs: ${p.location.name}`,
    back: { href: `/staff/setup/locations/${p.location.id}`, label: p.location.name },
    saved: p.saved,
    conflicts: p.conflicts,
    errors,
    children: (
      <Fragment>
        <p>
          Online consultations need a free consultation room. A room taken out of use is no longer offered; bookings
          already in it stay booked.
        </p>
        <div class="table-scroll">
          <table class="mailbox">
            <caption>Rooms and chairs</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {p.rooms.map((r) => {
                const key = renameKey(r.id);
                return (
                  <tr>
                    <td>
                      <form method="post" action={`${base}/${r.id}/rename`} class="rename-form">
                        <Csrf token={p.staff.csrfToken} />
                        <FieldError id={key} message={errors[key]} />
                        <label class="visually-hidden" for={key}>
                          Name of {r.name}
                        </label>
                        <input id={key} name="name" value={values[key] ?? r.name} {...invalid(key, errors)} />{' '}
                        <button class="button button-small button-secondary" type="submit">
                          Rename
                        </button>
                      </form>
                    </td>
                    <td>{ROOM_KINDS.find(([k]) => k === r.kind)?.[1] ?? r.kind}</td>
                    <td>
                      <form
                        method="post"
                        action={`${base}/${r.id}/${r.active ? 'deactivate' : 'reactivate'}`}
                        class="inline-form"
                      >
                        <Csrf token={p.staff.csrfToken} />
                        {r.active ? 'In use ' : 'Not in use '}
                        <button class="button button-small button-secondary" type="submit">
                          {r.active ? 'Take out of use' : 'Put back in use'}
                        </button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <h2>Add a room or chair</h2>
        <form class="form" method="post" action={base} novalidate>
          <Csrf token={p.staff.csrfToken} />
          <Input name="name" label="Name" hint="e.g. Consult room 3 or Chair 7." values={values} errors={errors} />
          <Select name="kind" label="Kind" options={ROOM_KINDS} values={values} errors={errors} />
          <button class="button" type="submit">
            Add
          </button>
        </form>
      </Fragment>
    ),
  });
}
