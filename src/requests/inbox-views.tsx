import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Pager } from '../kernel/ui/pager.tsx';
import { label } from '../kernel/ui/labels.ts';
import { REASONS } from './form-schema.ts';
import { StaffLayout } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { ago, consultationTime, longDay, rate, shortDateTime } from './format.ts';
import type { LeadListRow, LeadLocation } from './inbox-repository.ts';
import { LEAD_STATUSES, OWNER_FILTERS } from './inbox-schema.ts';
import type { ConversionRow, LeadsFilterValues } from './inbox-list-service.ts';
import { LINK_FILTERS } from './inbox-schema.ts';
import { UndeliveredTag } from './undelivered-view.tsx';

export interface LeadsPageProps {
  staff: StaffContext;
  now: number;
  locations: LeadLocation[];
  filters: LeadsFilterValues;
  conversion: ConversionRow[];
  rows: LeadListRow[];
  page: number;
  pageSize: number;
  prevHref: string | undefined;
  nextHref: string | undefined;
  /** Requests of these locations whose booking link was not delivered and awaits someone. */
  undelivered: Set<string>;
  /** The inbox filtered to exactly those. */
  undeliveredHref: string;
}

// The lookup lives in the kernel's UI kit with the shared words; re-exported for this feature's other pages.
export { label };

function Select(props: { id: string; label: string; value: string | undefined; options: Array<[string, string]> }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        {props.options.map(([value, text]) => (
          <option value={value} selected={(props.value ?? '') === value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function DayField(props: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <span class="hint" id={`${props.id}-hint`}>
        Format 2026-03-10.
      </span>
      <input id={props.id} name={props.id} type="date" value={props.value} aria-describedby={`${props.id}-hint`} />
    </div>
  );
}

function Conversion(props: { rows: ConversionRow[]; from: string; to: string }) {
  return (
    <div class="table-scroll" role="region" aria-labelledby="conversion-caption" tabindex="0">
      <table class="mailbox">
        <caption id="conversion-caption">
          Conversion of requests received {longDay(props.from)} – {longDay(props.to)} (each location's own time zone)
        </caption>
        <thead>
          <tr>
            <th scope="col">Location</th>
            <th scope="col">Requests received</th>
            <th scope="col">Booked</th>
            <th scope="col">Booking rate</th>
            <th scope="col">Cancelled</th>
            <th scope="col">Attended</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <th scope="row">{r.location.name}</th>
              <td>{r.received}</td>
              <td>{r.booked}</td>
              <td>{rate(r.booked, r.received)}</td>
              <td>{r.cancelled}</td>
              <td>{r.attended}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">
        Booked counts each request received in the period whose consultation is booked or took place. Cancelled counts
        those whose consultation was cancelled (by the patient or the clinic) and not booked again. Attended counts
        those whose consultation the front desk marked as arrived on the calendar.
      </p>
    </div>
  );
}

function LeadRow(props: { row: LeadListRow; now: number; undelivered: boolean }) {
  const { row } = props;
  return (
    <tr>
      <td>
        {ago(row.created_at, props.now)}
        <br />
        <small>
          <time datetime={new Date(row.created_at).toISOString()}>{shortDateTime(row.created_at, row.time_zone)}</time>
        </small>
      </td>
      <td>
        <a href={`/staff/leads/${row.id}`}>
          {row.first_name} {row.last_name}
        </a>
      </td>
      <td>{row.location_name}</td>
      <td>{label(REASONS, row.reason)}</td>
      <td>
        {label(LEAD_STATUSES, row.status)}
        {props.undelivered ? <UndeliveredTag /> : null}
      </td>
      <td>{row.owner_name ?? <span class="hint">Unassigned</span>}</td>
      <td>
        {row.booked_at === null
          ? '—'
          : `${consultationTime(row.booked_at, row.booked_time_zone ?? row.time_zone)}${row.booked_location_name && row.booked_location_name !== row.location_name ? `, ${row.booked_location_name}` : ''}`}
      </td>
    </tr>
  );
}

export function LeadsPage(props: LeadsPageProps) {
  const { filters, rows } = props;
  const first = (props.page - 1) * props.pageSize + 1;
  const reversed = filters.from > filters.to;
  return StaffLayout({
    title: 'Leads',
    staff: props.staff,
    path: '/staff/leads',
    children: (
      <Fragment>
        <h1>Leads</h1>
        <p>
          Consultation requests from the website, newest first. Open one to see the details, log contact and assign it.
        </p>

        <form class="form filters" method="get" action="/staff/leads" role="search" aria-label="Filter leads">
          <Select
            id="location"
            label="Location"
            value={filters.location}
            options={[
              ['', props.locations.length > 1 ? 'All my locations' : 'My location'],
              ...props.locations.map((l): [string, string] => [l.id, l.name]),
            ]}
          />
          <Select
            id="status"
            label="Status"
            value={filters.status}
            options={[['', 'Any status'], ...Object.entries(LEAD_STATUSES)]}
          />
          <Select id="owner" label="Owner" value={filters.owner} options={Object.entries(OWNER_FILTERS)} />
          <Select id="link" label="Booking link" value={filters.link} options={Object.entries(LINK_FILTERS)} />
          <DayField id="from" label="Conversion period from" value={filters.from} />
          <DayField id="to" label="Conversion period to (included)" value={filters.to} />
          <p>
            <button class="button" type="submit">
              Show leads
            </button>{' '}
            <a class="button button-secondary" href="/staff/leads">
              Reset
            </a>
          </p>
        </form>

        {props.undelivered.size > 0 && filters.link !== 'undelivered' ? (
          <div class="notice notice-warning" role="status">
            <p>
              {props.undelivered.size === 1
                ? 'The booking link of 1 lead could not be delivered.'
                : `The booking links of ${props.undelivered.size} leads could not be delivered.`}{' '}
              Call them instead: <a href={props.undeliveredHref}>show the leads whose link was not delivered</a>.
            </p>
          </div>
        ) : null}

        <h2>Conversion</h2>
        {reversed ? (
          <div class="notice notice-warning" role="status">
            <p>The period starts after it ends, so nothing can be counted. Swap the two dates.</p>
          </div>
        ) : null}
        <Conversion rows={props.conversion} from={filters.from} to={filters.to} />

        <h2>Requests</h2>
        {rows.length === 0 ? (
          <p role="status">
            {props.page > 1 ? 'There are no more requests on this page.' : 'No requests match these filters.'}
          </p>
        ) : (
          <div class="table-scroll" role="region" aria-labelledby="leads-caption" tabindex="0">
            <table class="mailbox">
              <caption id="leads-caption">
                Requests {first}–{first + rows.length - 1}, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Name</th>
                  <th scope="col">Location</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Status</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Consultation</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <LeadRow row={row} now={props.now} undelivered={props.undelivered.has(row.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}

        <Pager
          label="Lead pages"
          page={props.page}
          prevHref={props.prevHref}
          nextHref={props.nextHref}
          prevText="Newer requests"
          nextText="Older requests"
        />
      </Fragment>
    ),
  });
}
