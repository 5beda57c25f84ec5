/** The outcomes report page: filters, how missing answers are treated, then per protocol and location the chart and table. */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { Input, Select, type Errors } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { ReportGroup, Share, TimepointFigures } from './report.ts';
import { ResponderChart } from './report-chart.tsx';
import type { RawFilters } from './report-filters.ts';
import type { ReportChoices, ReportPageData } from './report-service.ts';
import { timepointLabel } from './report-words.ts';

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
const ci = (s: Share) => (s.ci ? `${Math.round(s.ci.low * 100)}–${Math.round(s.ci.high * 100)} %` : '—');
const shareCell = (s: Share) => (s.n === 0 ? '—' : `${s.x} of ${s.n} · ${pct(s.share)} (${ci(s)})`);

export function queryOf(raw: RawFilters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function Filters(props: { choices: ReportChoices; values: RawFilters; errors: Errors }) {
  const { choices, values, errors } = props;
  const v = values as Record<string, string>;
  return (
    <form class="form filters outcomes-filters" method="get" action="/staff/outcomes" aria-label="Report filters">
      <Select
        name="protocol"
        label="Protocol"
        values={v}
        errors={errors}
        options={[['', 'Every protocol'], ...choices.protocols.map((p): [string, string] => [p.code, p.name])]}
      />
      <Select
        name="location"
        label="Location"
        values={v}
        errors={errors}
        options={[['', 'All my locations'], ...choices.locations.map((l): [string, string] => [l.id, l.name])]}
      />
      <Input name="from" label="From" type="date" values={v} errors={errors} />
      <Input name="to" label="To (included)" type="date" values={v} errors={errors} />
      <p>
        <button class="button" type="submit">
          Show the report
        </button>
      </p>
      <p class="hint outcomes-filters-hint">
        The period covers questionnaires whose window opened on those days, in each location's time zone; at most 5
        years.
      </p>
    </form>
  );
}

function MissingNote(props: { settings: ReportPageData['settings'] | null }) {
  const s = props.settings;
  return (
    <section class="notice outcomes-note" aria-labelledby="how-to-read">
      <h2 id="how-to-read">How to read this report</h2>
      <ul>
        <li>
          A questionnaire counts as <strong>owed</strong> once its window has closed or it was completed;{' '}
          <strong>missing</strong> means owed and not completed. Missing answers are never filled in: each share is the
          patients who responded among those who answered at that time point, and the missing count and share stand
          beside it. Patients who miss questionnaires may be doing better or worse than those who answer.
        </li>
        <li>
          Relief is the drop in average pain (0–10) from the baseline: the intake's rating, or else the first
          questionnaire before a session. A baseline of 0 has no percent change; those patients are counted under "not
          applicable".
        </li>
        <li>
          A PHQ-9 improvement is a total at least {s?.body.phq9ImprovementPoints ?? 5} points below the patient's
          baseline PHQ-9. Intervals are 95 % Wilson score intervals.
        </li>
        <li>
          Patients treated: those with a questionnaire before a session owed or completed in the period (one is
          scheduled before every session of a plan). Time points: S before session, B before booster, W week after the
          induction.
        </li>
      </ul>
      {s?.unverified ? (
        <p>
          <span class="badge badge-unverified">Unverified</span> The thresholds are the shipped defaults (
          {s.body.moderatePct} % and {s.body.substantialPct} %, IMMPACT); an administrator confirms them in Clinical
          settings.
        </p>
      ) : null}
    </section>
  );
}

function GroupTable(props: { group: ReportGroup; id: string }) {
  return (
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby={`${props.id}-caption`}>
      <table class="data-table outcomes-table">
        <caption id={`${props.id}-caption`}>Figures at each time point</caption>
        <thead>
          <tr>
            <th scope="col">Time point</th>
            <th scope="col">Owed</th>
            <th scope="col">Answered</th>
            <th scope="col">Missing</th>
            <th scope="col">30 % relief or more (95 % CI)</th>
            <th scope="col">50 % relief or more (95 % CI)</th>
            <th scope="col">Not applicable</th>
            <th scope="col">Median pain</th>
            <th scope="col">PHQ-9 improved (95 % CI)</th>
          </tr>
        </thead>
        <tbody>
          {props.group.timepoints.map((t: TimepointFigures) => (
            <tr>
              <th scope="row">{timepointLabel(t.timepoint, t.number)}</th>
              <td>{t.owed}</td>
              <td>{t.answered}</td>
              <td>
                {t.missing} ({pct(t.missingShare)})
              </td>
              <td>{shareCell(t.moderate)}</td>
              <td>{shareCell(t.substantial)}</td>
              <td>{t.notApplicable}</td>
              <td>{t.medianPain === null ? '—' : t.medianPain}</td>
              <td>{shareCell(t.phq9Improved)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function OutcomesReportPage(props: {
  staff: StaffContext;
  choices: ReportChoices;
  values: RawFilters;
  errors?: Errors;
  data?: ReportPageData;
}) {
  const { data, choices } = props;
  const errors = props.errors ?? {};
  const protocolName = (code: string) => choices.protocols.find((p) => p.code === code)?.name ?? code;
  const locationName = (id: string) => choices.locations.find((l) => l.id === id)?.name ?? id;
  const values: RawFilters = data
    ? {
        protocol: data.filters.protocol ?? '',
        location: data.filters.locationId ?? '',
        from: data.filters.from,
        to: data.filters.to,
      }
    : props.values;
  return StaffLayout({
    title: 'Outcomes',
    staff: props.staff,
    path: '/staff/outcomes',
    children: (
      <Fragment>
        <h1>Outcomes</h1>
        <p class="lead">
          Responder rates per protocol and location: how many patients report 30 % and 50 % less pain at each time
          point, median pain, and PHQ-9 improvement.
        </p>
        {Object.keys(errors).length > 0 ? (
          <div class="error-summary" role="alert" tabindex="-1">
            <h2>The report was not run: please check the filters</h2>
            <ul>
              {Object.entries(errors).map(([key, message]) => (
                <li>
                  <a href={`#${key}-error`}>{message}</a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <Filters choices={choices} values={values} errors={errors} />
        <p>
          <strong>Missing answers are never filled in:</strong> each share counts only the patients who answered at that
          time point, and the missing count and share stand beside it (
          <a href="#how-to-read">how to read this report</a>).
        </p>
        {data ? (
          <Fragment>
            <form class="outcomes-export" method="post" action="/staff/outcomes/exports">
              <Csrf token={props.staff.csrfToken} />
              {(['protocol', 'location', 'from', 'to'] as const).map((k) => (
                <input type="hidden" name={k} value={values[k] ?? ''} />
              ))}
              <button class="button button-secondary" type="submit">
                Export the de-identified outcomes table (CSV)
              </button>
              <p class="hint">
                One row per questionnaire owed; no names or birth dates, a patient key that changes with every export,
                and days counted from the plan's first session instead of dates. A large export is prepared in the
                background and shows its progress; the export and each download are recorded.
              </p>
            </form>
            {data.groups.length === 0 ? (
              <p class="outcomes-empty">No questionnaires were scheduled in this period for these filters.</p>
            ) : (
              data.groups.map((g, i) => {
                const title = `${protocolName(g.protocol)} · ${locationName(g.locationId)}`;
                return (
                  <section class="outcomes-report" aria-labelledby={`group-${i}-heading`}>
                    <h2 id={`group-${i}-heading`}>{title}</h2>
                    <p>
                      {g.treated} patient{g.treated === 1 ? '' : 's'} treated in the period.
                    </p>
                    <ResponderChart group={g} id={`group-${i}-chart`} title={`Responder shares over time: ${title}`} />
                    <GroupTable group={g} id={`group-${i}`} />
                  </section>
                );
              })
            )}
          </Fragment>
        ) : null}
        <MissingNote settings={data?.settings ?? null} />
      </Fragment>
    ),
  });
}
