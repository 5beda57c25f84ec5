/** The outcomes report page: filters, how missing answers are treated, then per protocol and location the chart and table. */
import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { Input, Select, type Errors } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { FirstResponses, ReportGroup, Share, TimepointFigures } from './report.ts';
import { ResponderChart } from './report-chart.tsx';
import type { RawFilters } from './report-filters.ts';
import type { ReportChoices, ReportPageData } from './report-service.ts';
import { timepointLabel } from './report-words.ts';

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
const ci = (s: Share) => (s.ci ? `${Math.round(s.ci.low * 100)}–${Math.round(s.ci.high * 100)} %` : '—');
/** A share and its interval, each kept whole when a narrow column wraps (never "12" above "%"). */
const shareCell = (s: Share) =>
  s.n === 0 ? (
    '—'
  ) : (
    <Fragment>
      <span class="nowrap">{`${s.x} of ${s.n} · ${pct(s.share)}`}</span> <span class="nowrap">({ci(s)})</span>
    </Fragment>
  );
const DAY = 86_400_000;
const daysWords = (ms: number) => {
  const n = Math.round(ms / DAY);
  return `${n} day${n === 1 ? '' : 's'}`;
};

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
  const cut = s?.body.moderatePct ?? 30;
  return (
    <section class="notice outcomes-note" aria-labelledby="how-to-read">
      <h2 id="how-to-read">How to read this report</h2>
      <ul>
        <li>
          <strong>Treated</strong>: the patients with at least one infusion, induction or booster, started in the period
          at that location on a plan of that protocol; a patient whose only infusions in the period were boosters
          counts.
        </li>
        <li>
          The period holds the questionnaires whose window opened in it. A questionnaire counts as <strong>owed</strong>{' '}
          once its window has closed or it was completed; <strong>missing</strong> means owed and not completed. Missing
          answers are never filled in: each share is the patients who responded among those who answered at that time
          point (their latest answer if they answered twice), and the missing count and share stand beside it. Patients
          who miss questionnaires may be doing better or worse than those who answer.
        </li>
        <li>
          <strong>Baselines are taken before treatment.</strong> Relief is the drop in average pain (0–10) from the
          baseline: the intake's rating, or else the first questionnaire before a session completed before the patient's
          first infusion. That questionnaire is the baseline itself, not a follow-up: it is counted under "Not
          applicable" as "baseline". A baseline of 0 has no percent change, and a patient without a baseline has none
          either: both are counted under "Not applicable" too.
        </li>
        <li>
          A PHQ-9 improvement is a total at least {s?.body.phq9ImprovementPoints ?? 5} points below the patient's
          baseline PHQ-9: the intake's, or else one completed before the first infusion. A PHQ-9 first given after
          treatment began is no baseline: those patients are missing from the improvement share and counted beside it as
          "without a baseline". Intervals are 95 % Wilson score intervals.
        </li>
        <li>
          A <strong>response</strong> starts at a questionnaire with {cut} % relief or more and ends at the first later
          one under {cut} %; a later one at {cut} % or more (after a booster, say) starts a second episode. The median
          duration is of each responder's first episode within the period's questionnaires. An episode not ended by the
          patient's last questionnaire of the period is open: it is counted at its length so far, a lower bound, so the
          median may understate how long responses last.
        </li>
        <li>Time points: S before session, B before booster, W week after the induction.</li>
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

/** The median first response in a sentence, with how many were still open (their lengths are lower bounds). */
function FirstResponseLine(props: { f: FirstResponses; cutoffPct: number }) {
  const { f, cutoffPct } = props;
  if (f.followed === 0) return <p>No patient with a baseline answered a follow-up in the period.</p>;
  if (f.responders === 0)
    return (
      <p>
        None of the {f.followed} patients followed up reached {cutoffPct} % relief in the period.
      </p>
    );
  return (
    <p>
      First response ({cutoffPct} % relief or more): {f.responders} of {f.followed} patients followed up; median
      duration <strong>{daysWords(f.medianMs ?? 0)}</strong>
      {f.open > 0
        ? ` (${f.open} still responding at their last questionnaire, counted at their length so far: a lower bound).`
        : '.'}
    </p>
  );
}

function GroupTable(props: { group: ReportGroup; id: string }) {
  return (
    // Named with its group's heading too: one region per protocol and location, each told apart by screen readers.
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby={`${props.id}-caption ${props.id}-heading`}>
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
              <td class="nowrap">
                {t.missing} ({pct(t.missingShare)})
              </td>
              <td>{shareCell(t.moderate)}</td>
              <td>{shareCell(t.substantial)}</td>
              <td class="nowrap">
                {t.notApplicable + t.baseline}
                {t.baseline > 0 ? ` (${t.baseline} baseline)` : ''}
              </td>
              <td>{t.medianPain === null ? '—' : t.medianPain}</td>
              <td>
                {shareCell(t.phq9Improved)}
                {t.phq9NoBaseline > 0 ? ` · ${t.phq9NoBaseline} without a baseline (missing)` : ''}
              </td>
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
              <p class="outcomes-empty">
                No questionnaires were scheduled and no infusions started in this period for these filters.
              </p>
            ) : (
              data.groups.map((g, i) => {
                const title = `${protocolName(g.protocol)} · ${locationName(g.locationId)}`;
                return (
                  <section class="outcomes-report" aria-labelledby={`group-${i}-heading`}>
                    <h2 id={`group-${i}-heading`}>{title}</h2>
                    <p>
                      {g.treated} patient{g.treated === 1 ? '' : 's'} treated in the period (an infusion started here,
                      induction or booster).
                    </p>
                    <FirstResponseLine f={g.firstResponses} cutoffPct={data.settings.body.moderatePct} />
                    {g.timepoints.length === 0 ? (
                      <p>No questionnaires were owed in this period for these patients.</p>
                    ) : (
                      <Fragment>
                        <ResponderChart
                          group={g}
                          id={`group-${i}-chart`}
                          title={`Responder shares over time: ${title}`}
                        />
                        <GroupTable group={g} id={`group-${i}`} />
                      </Fragment>
                    )}
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
