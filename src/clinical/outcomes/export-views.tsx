/**
 * An export's own page: what it is of, then its progress ("n of N patients" with a progress bar), the download when
 * it is ready, or what to do when it failed. With JavaScript on, the page keeps itself up to date (export-progress.js);
 * without, its "Check progress" link does the same by hand. It does not reload itself on a timer: a timed reload
 * takes a screen reader back to the top of the page every few seconds (WCAG 2.2.1).
 */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { assetUrl } from '../../kernel/ui/assets.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import { formatDate, formatTime, zoneName } from '../../kernel/time/format.ts';
import type { ExportJob } from './export-service.ts';
import { queryOf } from './report-views.tsx';

export const exportHref = (id: string) => `/staff/outcomes/exports/${id}`;
export const downloadHref = (id: string) => `${exportHref(id)}/download`;

export interface ExportPageProps {
  staff: StaffContext;
  job: ExportJob;
  protocolName: string;
  locationName: string;
  zone: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const until = (job: ExportJob, zone: string) =>
  `${formatTime(Number(job.expires_at), zone)} (${zoneName(zone, Number(job.expires_at))})`;

function Progress(props: { job: ExportJob; zone: string }) {
  const { job, zone } = props;
  const done = Number(job.patients_done);
  const total = Number(job.patients_total);
  if (job.status === 'ready')
    return (
      <Fragment>
        <p class="export-state">
          <strong>Ready:</strong> {plural(Number(job.rows_done), 'row')} for {plural(done, 'patient')}.
        </p>
        <p>
          <a class="button" href={downloadHref(job.id)} download>
            Download the CSV
          </a>
        </p>
        <p class="hint">You can download it until {until(job, zone)}; it is then removed. Each download is recorded.</p>
      </Fragment>
    );
  if (job.status === 'failed')
    return (
      <p class="export-state">
        <strong>The export could not be finished.</strong> Nothing was lost: start it again below.
      </p>
    );
  return (
    <Fragment>
      <p class="export-state" id="export-count">
        {job.status === 'queued' ? 'Waiting to start: ' : 'Preparing: '}
        {done} of {plural(total, 'patient')}.
      </p>
      <progress max={String(Math.max(total, 1))} value={String(done)} aria-labelledby="export-count">
        {`${done} of ${total}`}
      </progress>
      <p class="hint">
        You may leave this page: the export carries on, and this page (under Outcomes) shows it until {until(job, zone)}
        .
      </p>
    </Fragment>
  );
}

export function ExportPage(props: ExportPageProps) {
  const { job, zone } = props;
  const filters = {
    protocol: job.protocol ?? '',
    location: job.location_id ?? '',
    from: job.period_from,
    to: job.period_to,
  };
  const working = job.status === 'queued' || job.status === 'running';
  return StaffLayout({
    title: 'Outcomes export',
    staff: props.staff,
    path: '/staff/outcomes',
    children: (
      <Fragment>
        <h1>Outcomes export</h1>
        <p class="lead">
          The de-identified outcomes table for {props.protocolName} at {props.locationName}, from{' '}
          {formatDate(job.period_from)} to {formatDate(job.period_to)}.
        </p>
        <div
          id="export-progress"
          class="export-progress"
          data-status={job.status}
          data-poll={working ? exportHref(job.id) : undefined}
        >
          <Progress job={job} zone={zone} />
        </div>
        {/* Said once when the state changes (export-progress.js), not at every count. */}
        <p id="export-announce" class="visually-hidden" role="status"></p>
        {working ? (
          <p class="export-check">
            <a href={exportHref(job.id)}>Check progress</a>
            <span class="muted"> (with JavaScript on, this page updates itself every few seconds)</span>
          </p>
        ) : null}
        {job.status === 'failed' ? (
          <form method="post" action="/staff/outcomes/exports">
            <Csrf token={props.staff.csrfToken} />
            {(['protocol', 'location', 'from', 'to'] as const).map((k) => (
              <input type="hidden" name={k} value={filters[k]} />
            ))}
            <button class="button" type="submit">
              Start the export again
            </button>
          </form>
        ) : null}
        <p>
          <a href={`/staff/outcomes${queryOf(filters)}`}>Back to the outcomes report</a>
        </p>
        {working ? <script src={assetUrl('export-progress.js')} defer></script> : null}
      </Fragment>
    ),
  });
}
