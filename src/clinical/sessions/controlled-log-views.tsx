import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { toCsv } from '../../kernel/audit/csv.ts';
import { formatDay, shortDateTime, zoned } from '../../kernel/time/format.ts';
import { ErrorSummary, Input, Saved, Select, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { ControlledLog, LogRow, LotView } from './controlled-log.ts';
import { mgText } from './controlled-views.tsx';
import { sessionHref } from './views.tsx';

export const LOG_PATH = '/staff/controlled-substances';

const STATUS: Record<LogRow['status'], string> = {
  no_drug: 'Nothing dispensed',
  infusing: 'Infusing',
  balanced: 'Balanced',
  unbalanced: 'Waste to record',
};

export function logQuery(log: Pick<ControlledLog, 'location' | 'from' | 'to'>): string {
  return new URLSearchParams({ location: log.location.id, from: log.from, to: log.to }).toString();
}

/** The controlled-substance log of one location: bags, lots' running balances, stock received, and its form. */
export function ControlledLogPage(props: {
  staff: StaffContext;
  log: ControlledLog;
  saved?: string | undefined;
  values?: Values;
  errors?: Errors;
}) {
  const { log } = props;
  const zone = log.location.timeZone;
  const errors = { ...log.errors, ...(props.errors ?? {}) };
  const filters: Values = { location: log.location.id, from: log.from, to: log.to };
  // Only clinicians open a session page; an administrator reads the log without them (no other clinical data).
  const links = props.staff.role !== 'admin';
  return StaffLayout({
    title: `Controlled-substance log · ${log.location.name}`,
    staff: props.staff,
    path: LOG_PATH,
    children: (
      <Fragment>
        <h1>Controlled-substance log</h1>
        <p class="log-intro">
          Ketamine (Schedule III) at {log.location.name}: every bag drawn, what was given and wasted, by whom and who
          witnessed it. Every entry is kept as written, and each look at this log is recorded in the audit trail.
        </p>
        <Saved message={props.saved} />
        <ErrorSummary errors={errors} />
        <form method="get" action={LOG_PATH} class="filters log-filters">
          <Select
            name="location"
            label="Location"
            values={filters}
            errors={{}}
            options={log.locations.map((l) => [l.id, l.name])}
          />
          <Input name="from" label="From" type="date" values={filters} errors={log.errors} />
          <Input name="to" label="To" type="date" values={filters} errors={log.errors} />
          <div class="actions log-filter-actions">
            <button class="button button-secondary" type="submit">
              Show
            </button>
            <a class="button button-secondary" href={`${LOG_PATH}.csv?${logQuery(log)}`} download>
              Export CSV
            </a>
          </div>
        </form>
        {log.unbalanced.length > 0 ? (
          <div class="notice notice-error" role="alert">
            <h2>Closed sessions that do not balance</h2>
            <p>
              This should never happen: a session is not discharged until its drug balances. Look into each one and
              record what you find.
            </p>
            <ul>
              {log.unbalanced.map((u) => (
                <li>
                  {links ? (
                    <a href={sessionHref(u.patientId, u.sessionId)}>
                      {u.patientName}, {formatDay(u.at, zone)}
                    </a>
                  ) : (
                    `${u.patientName}, ${formatDay(u.at, zone)}`
                  )}
                  : {mgText(u.leftMg)} not accounted for (session {u.sessionId})
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p class="log-check">Every closed session at {log.location.name} balances to zero.</p>
        )}
        <BagsTable log={log} links={links} />
        <h2>Running balance by lot</h2>
        {log.lots.length === 0 ? <p>No stock received or drawn at this location yet.</p> : null}
        {log.lots.map((lot, i) => (
          <LotTable lot={lot} index={i} zone={zone} />
        ))}
        <ReceiptForm staff={props.staff} log={log} values={props.values ?? {}} errors={props.errors ?? {}} />
      </Fragment>
    ),
  });
}

function BagsTable(props: { log: ControlledLog; links: boolean }) {
  const { log } = props;
  const zone = log.location.timeZone;
  if (log.rows.length === 0)
    return (
      <Fragment>
        <h2>Bags drawn</h2>
        <p>
          No bag was drawn at {log.location.name} from {log.from} to {log.to}.
        </p>
      </Fragment>
    );
  return (
    <Fragment>
      <h2>Bags drawn</h2>
      <div class="table-scroll" role="region" aria-labelledby="log-caption" tabindex="0">
        <table class="mailbox log-table">
          <caption id="log-caption">
            Bags drawn from {log.from} to {log.to}, oldest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Drawn</th>
              <th scope="col">Patient</th>
              <th scope="col">Lot</th>
              <th scope="col">Dispensed</th>
              <th scope="col">Given</th>
              <th scope="col">Wasted</th>
              <th scope="col">Given by</th>
              <th scope="col">Witnessed by</th>
              <th scope="col">Balance</th>
            </tr>
          </thead>
          <tbody>
            {log.rows.map((r) => (
              <tr>
                <td class="nowrap">{shortDateTime(r.at, zone)}</td>
                <td>
                  {props.links ? <a href={sessionHref(r.patientId, r.sessionId)}>{r.patientName}</a> : r.patientName}
                </td>
                <td>{r.lot}</td>
                <td>{mgText(r.dispensedMg)}</td>
                <td>{mgText(r.givenMg)}</td>
                <td>
                  {mgText(r.wastedMg)}
                  {r.wastedBy.length > 0 ? <span class="log-sub">by {r.wastedBy.join(', ')}</span> : null}
                </td>
                <td>{r.givenBy}</td>
                <td>
                  <span class="log-line">{r.drawWitness} (draw)</span>
                  {r.wasteWitnesses.map((w) => (
                    <span class="log-line">{w} (waste)</span>
                  ))}
                </td>
                <td>
                  {STATUS[r.status]}
                  {r.status === 'unbalanced' ? <span class="log-sub">{mgText(r.leftMg)} left</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Fragment>
  );
}

function LotTable(props: { lot: LotView; index: number; zone: string }) {
  const { lot } = props;
  const id = `lot-caption-${props.index}`;
  return (
    <section class="log-lot" aria-labelledby={id}>
      <h3 id={id}>
        Lot {lot.lot}
        {lot.expiresOn.length > 0 ? <span class="log-sub"> expires {lot.expiresOn.join(', ')}</span> : null}
      </h3>
      {lot.tracked ? (
        <p class={lot.overdrawn ? 'notice notice-error' : undefined}>
          Received {mgText(lot.receivedMg)}, dispensed {mgText(lot.dispensedMg)}, in stock{' '}
          <strong>{mgText(lot.balanceMg ?? 0)}</strong>.
          {lot.overdrawn ? ' More was dispensed than received: check the receipts of this lot.' : ''}
        </p>
      ) : (
        <p>
          Dispensed {mgText(lot.dispensedMg)}. No stock received is recorded for this lot, so no running balance is
          kept.
        </p>
      )}
      {lot.tracked && lot.entries.length > 0 ? (
        <div class="table-scroll" role="region" aria-label={`Lot ${lot.lot} in the range`} tabindex="0">
          <table class="mailbox log-lot-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Entry</th>
                <th scope="col">Amount</th>
                <th scope="col">Balance after</th>
              </tr>
            </thead>
            <tbody>
              {lot.entries.map((e) => (
                <tr>
                  <td class="nowrap">{shortDateTime(e.at, props.zone)}</td>
                  <td>{e.kind === 'received' ? 'Received' : 'Dispensed for a bag'}</td>
                  <td>
                    {e.kind === 'received' ? '+' : '−'}
                    {mgText(e.mg)}
                  </td>
                  <td>{e.balanceMg === null ? '' : mgText(e.balanceMg)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function ReceiptForm(props: { staff: StaffContext; log: ControlledLog; values: Values; errors: Errors }) {
  const { log } = props;
  const zone = log.location.timeZone;
  const now = zoned(log.now, zone);
  const values: Values = {
    received_day: now.toISODate() ?? '',
    received_time: now.toFormat('HH:mm'),
    ...props.values,
  };
  return (
    <form method="post" action={`${LOG_PATH}?${logQuery(log)}`} class="dose-form receipt-form">
      <Csrf token={props.staff.csrfToken} />
      <input type="hidden" name="location" value={log.location.id} />
      <h2>Record stock received at {log.location.name}</h2>
      <p>Count the ketamine in as it arrives; you are recorded as the person who received it.</p>
      <Input name="lot" label="Lot" values={values} errors={props.errors} extra={{ autocomplete: 'off' }} />
      <Input name="expires_on" label="Expiry" type="date" values={values} errors={props.errors} />
      <Input
        name="mg"
        label="Ketamine received (mg)"
        values={values}
        errors={props.errors}
        hint="The total of the lot received, for example 5000"
        extra={{ inputmode: 'decimal', autocomplete: 'off' }}
      />
      <Input
        name="reference"
        label="Supplier and invoice (optional)"
        values={values}
        errors={props.errors}
        extra={{ autocomplete: 'off' }}
      />
      <Input name="received_day" label="Received on" type="date" values={values} errors={props.errors} />
      <Input
        name="received_time"
        label="At"
        type="time"
        values={values}
        errors={props.errors}
        hint={`${log.location.name} time`}
      />
      <button class="button" type="submit">
        Record the stock
      </button>
    </form>
  );
}

export const LOG_CSV_HEADER = [
  'Entry',
  'Date and time',
  'Location',
  'Patient',
  'Lot',
  'Lot expiry',
  'Received (mg)',
  'Dispensed (mg)',
  'Given (mg)',
  'Wasted (mg)',
  'Left (mg)',
  'Status',
  'Given or received by',
  'Draw witness',
  'Wasted by',
  'Waste witness',
  'Lot balance after (mg)',
  'Reference',
];

const n = (mg: number) => String(Number(mg.toFixed(2)));

/** The log as CSV: each bag and each stock receipt of the range, in time order, with the lot's balance after it. */
export function logCsv(log: ControlledLog): string {
  const zone = log.location.timeZone;
  const when = (at: number) => zoned(at, zone).toISO({ suppressMilliseconds: true }) ?? '';
  const balanceAfter = (lot: string, match: (e: LotView['entries'][number]) => boolean) => {
    const e = log.lots.find((l) => l.lot === lot)?.entries.find(match);
    return e?.balanceMg === null || e === undefined ? '' : n(e.balanceMg);
  };
  const rows: Array<{ at: number; row: unknown[] }> = [
    ...log.rows.map((r) => ({
      at: r.at,
      row: [
        'Bag',
        when(r.at),
        log.location.name,
        r.patientName,
        r.lot,
        r.expiresOn,
        '',
        n(r.dispensedMg),
        n(r.givenMg),
        n(r.wastedMg),
        n(r.leftMg),
        STATUS[r.status],
        r.givenBy,
        r.drawWitness,
        r.wastedBy.join('; '),
        r.wasteWitnesses.join('; '),
        balanceAfter(r.lot, (e) => e.ref === r.bagId),
        '',
      ],
    })),
    ...log.receipts.map((r) => ({
      at: r.receivedAt,
      row: [
        'Stock received',
        when(r.receivedAt),
        log.location.name,
        '',
        r.lot,
        r.expiresOn,
        n(r.mg),
        '',
        '',
        '',
        '',
        '',
        r.receivedByName,
        '',
        '',
        '',
        balanceAfter(r.lot, (e) => e.kind === 'received' && e.at === r.receivedAt),
        r.reference ?? '',
      ],
    })),
  ];
  return toCsv(
    LOG_CSV_HEADER,
    rows.sort((a, b) => a.at - b.at).map((r) => r.row),
  );
}
