import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import { assetUrl } from '../../kernel/ui/assets.ts';
import { formatDate, formatTime, timeRange } from '../../kernel/time/format.ts';
import type { BoardView } from './board.ts';
import type { BoardState, ChairCard, BoardVisit, BoardClinical } from './board-cards.ts';
import type { BoardAlert, BoardReading } from './board-repository.ts';
import { STATE_LABELS } from './state.ts';
import { sessionHref } from './views.tsx';

const STATE_WORDS: Record<BoardState, string> = { ...STATE_LABELS, no_show: 'No-show' };

export const boardHref = (slug: string) => `/staff/board?location=${encodeURIComponent(slug)}`;
export const checkInHref = (appointmentId: string) => `/staff/appointments/${appointmentId}/check-in`;

/** "1 h 05 min", "12 min", "under a minute" */
export function elapsed(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const MEASURE_WORDS: Record<string, string> = {
  systolic: 'Systolic pressure',
  diastolic: 'Diastolic pressure',
  heartRate: 'Heart rate',
  spo2: 'SpO₂',
  respiratoryRate: 'Breathing rate',
  sedation: 'Sedation',
};

/** An alert's code in words: "Systolic pressure high", "Heart rate rise", "Vitals overdue". */
export function alertWords(a: Pick<BoardAlert, 'code' | 'kind'>): string {
  if (a.code === 'vitalsOverdue') return 'Vitals overdue';
  if (a.code === 'sedationAtOrBelow') return 'Deep sedation';
  const m = /^(systolic|diastolic|heartRate|spo2|respiratoryRate)(High|Low|Rise)$/.exec(a.code);
  if (!m) return a.code;
  const words = `${MEASURE_WORDS[m[1]!]} ${m[2] === 'Rise' ? 'risen from baseline' : m[2]!.toLowerCase()}`;
  return a.kind === 'sustained' ? `${words}, twice in a row` : words;
}

function Reading(props: { r: BoardReading; zone: string }) {
  const { r } = props;
  return (
    <Fragment>
      BP {r.systolic}/{r.diastolic}, HR {r.heartRate}, SpO₂ {r.spo2} %, RR {r.respiratoryRate}
      {r.sedation !== null ? `, RASS ${r.sedation > 0 ? '+' : ''}${r.sedation}` : ''}{' '}
      <span class="muted">at {formatTime(r.takenAt, props.zone)}</span>
    </Fragment>
  );
}

function ClinicalFacts(props: { visit: BoardVisit; c: BoardClinical; now: number; zone: string }) {
  const { visit, c, now, zone } = props;
  const worst = c.alerts.worst;
  return (
    <dl class="board-facts">
      {visit.stoppedAt !== null ? (
        <Fragment>
          <dt>Stopped</dt>
          <dd>
            {formatTime(visit.stoppedAt, zone)}, {elapsed(now - visit.stoppedAt)} ago
          </dd>
        </Fragment>
      ) : visit.startedAt !== null ? (
        <Fragment>
          <dt>Started</dt>
          <dd>
            {formatTime(visit.startedAt, zone)}, {elapsed(now - visit.startedAt)} ago
          </dd>
        </Fragment>
      ) : visit.checkedInAt !== null ? (
        <Fragment>
          <dt>Checked in</dt>
          <dd>{formatTime(visit.checkedInAt, zone)}</dd>
        </Fragment>
      ) : null}
      {c.nextDue !== null || c.scheduleUnknown ? (
        <Fragment>
          <dt>Next vitals</dt>
          <dd>
            {c.scheduleUnknown ? (
              'Schedule not found: see the plan'
            ) : c.overdueMinutes > 0 ? (
              <strong class="board-overdue">
                Overdue by {elapsed(c.overdueMinutes * 60_000)} (due {formatTime(c.nextDue!, zone)})
              </strong>
            ) : (
              `Due ${formatTime(c.nextDue!, zone)}`
            )}
          </dd>
        </Fragment>
      ) : null}
      <dt>Latest vitals</dt>
      <dd>{c.latest ? <Reading r={c.latest} zone={zone} /> : 'None yet'}</dd>
      <dt>Open alerts</dt>
      <dd>
        {c.alerts.count === 0 || !worst ? (
          'None'
        ) : (
          <strong class="board-alert">
            {c.alerts.count} open: {alertWords(worst)}
            {worst.escalated ? ', escalated' : ''}
            {c.alerts.count > 1 ? ' and more' : ''}
          </strong>
        )}
      </dd>
    </dl>
  );
}

function CardAction(props: { visit: BoardVisit; chair: string }) {
  const { visit, chair } = props;
  if (visit.sessionId !== null && visit.patientId !== null) {
    return (
      <a class="button button-small board-open" href={sessionHref(visit.patientId, visit.sessionId)}>
        Open session<span class="visually-hidden">, {chair}</span>
      </a>
    );
  }
  if (visit.state === 'booked') {
    return (
      <a class="button button-small button-secondary board-open" href={checkInHref(visit.appointmentId)}>
        Check in<span class="visually-hidden"> {visit.name}</span>
      </a>
    );
  }
  return null;
}

function Card(props: { card: ChairCard; clinical: boolean; now: number; zone: string }) {
  const { card, clinical, now, zone } = props;
  const v = card.current;
  const overdue = (card.clinical?.overdueMinutes ?? 0) > 0;
  const alerting = (card.clinical?.alerts.count ?? 0) > 0;
  const id = `chair-${card.chairId}`;
  return (
    <li
      class={`board-card board-card-${v.state}${overdue ? ' board-card-overdue' : ''}${alerting ? ' board-card-alert' : ''}`}
      id={id}
    >
      <h2 class="board-chair" id={`${id}-name`}>
        {card.chair}
      </h2>
      <p class="board-state">
        <strong class={`session-state session-state-${v.state}`}>{STATE_WORDS[v.state]}</strong>
      </p>
      <p class="board-who">
        {v.name}
        <br />
        <span class="muted">{timeRange(v.startsAt, v.endsAt, zone)}</span>
      </p>
      {clinical && card.clinical ? <ClinicalFacts visit={v} c={card.clinical} now={now} zone={zone} /> : null}
      {clinical ? <CardAction visit={v} chair={card.chair} /> : null}
      {card.others.length > 0 ? (
        <p class="board-others">
          <span class="muted">Also today: </span>
          {card.others
            .map((o) => `${formatTime(o.startsAt, zone)} ${o.name} (${STATE_WORDS[o.state].toLowerCase()})`)
            .join('; ')}
        </p>
      ) : null}
    </li>
  );
}

/** The cards alone: the page's body, and what the live board fetches to replace them when something changed. */
export function BoardCards(props: { view: BoardView }) {
  const { view } = props;
  const zone = view.location.time_zone;
  return (
    <Fragment>
      <p class="board-updated muted">Updated at {formatTime(view.now, zone)}</p>
      {view.cards.length === 0 ? (
        <p class="board-empty">No infusions are booked in a chair here today.</p>
      ) : (
        <ul class="board-cards">
          {view.cards.map((card) => (
            <Card card={card} clinical={view.clinical} now={view.now} zone={zone} />
          ))}
        </ul>
      )}
    </Fragment>
  );
}

export function BoardPage(props: { staff: StaffContext; view: BoardView }) {
  const { view } = props;
  const slug = view.location.slug;
  const q = `location=${encodeURIComponent(slug)}`;
  return StaffLayout({
    title: `Board · ${view.location.name}`,
    staff: props.staff,
    path: '/staff/board',
    children: (
      <Fragment>
        <h1>Board: {view.location.name}</h1>
        <p>
          Today, {formatDate(view.date)}. Times are {view.location.name} local time.{' '}
          {view.clinical
            ? 'Each card is one chair in use today; open a card’s session to record on it.'
            : 'Each card is one chair in use today, with where its visit stands.'}
        </p>
        {view.visible.length > 1 ? (
          <nav aria-label="Boards by location" class="board-locations">
            <ul class="inline-list">
              {view.visible.map((l) => (
                <li>
                  <a href={boardHref(l.slug)} aria-current={l.id === view.location.id ? 'page' : undefined}>
                    {l.name}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <p class="board-refresh">
          <a href={boardHref(slug)}>Refresh the board</a>
          <span class="muted"> (with JavaScript on, it updates itself within seconds of any change)</span>
        </p>
        <div id="board-cards" data-events={`/staff/board/events?${q}`} data-cards={`/staff/board/cards?${q}`}>
          <BoardCards view={view} />
        </div>
        <script src={assetUrl('board.js')} defer></script>
      </Fragment>
    ),
  });
}
