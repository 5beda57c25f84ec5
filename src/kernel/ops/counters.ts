/**
 * The process's own metrics: counters that requests, the booking service and the outbox worker add to, and Node's
 * metrics. Kept apart from the scrape (metrics.ts) so that counting imports nothing but prom-client.
 *
 * Labels are route patterns, methods, status classes, job kinds, refusal codes and outcomes: bounded sets chosen
 * by the code, never a raw URL (links carry tokens), an id, an address or anything a person typed.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const processRegistry = new Registry();
let defaultsOn = false;

const http = {
  requests: new Counter({
    name: 'relief_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status class.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [processRegistry],
  }),
  seconds: new Histogram({
    name: 'relief_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [processRegistry],
  }),
  refusals: new Counter({
    name: 'relief_refusals_total',
    help: 'Requests refused with a 4xx, by refusal code (not_found, invalid_request, forbidden, ...).',
    labelNames: ['code'] as const,
    registers: [processRegistry],
  }),
};

const bookings = new Counter({
  name: 'relief_bookings_total',
  help: 'Booking attempts by outcome: booked, taken (the time was gone) or already_booked.',
  labelNames: ['outcome'] as const,
  registers: [processRegistry],
});

const mail = {
  sent: new Counter({
    name: 'relief_outbox_sent_total',
    help: 'Messages the outbox worker of this process delivered, by kind.',
    labelNames: ['kind'] as const,
    registers: [processRegistry],
  }),
  attemptsFailed: new Counter({
    name: 'relief_outbox_attempts_failed_total',
    help: 'Delivery attempts that failed in this process (each is retried until the outbox gives up), by kind.',
    labelNames: ['kind'] as const,
    registers: [processRegistry],
  }),
};

/** Where a request's route is unknown (a 404), one label for all, so probing for pages cannot grow the label set. */
const UNMATCHED = 'unmatched';

export function countRequest(route: string | undefined, method: string, status: number, seconds: number): void {
  const pattern = route ?? UNMATCHED;
  http.requests.inc({ route: pattern, method, status: `${Math.floor(status / 100)}xx` });
  http.seconds.observe({ route: pattern, method }, seconds);
}

export const countRefusal = (code: string): void => http.refusals.inc({ code });
export const countBooking = (outcome: 'booked' | 'taken' | 'already_booked' | 'not_eligible'): void =>
  bookings.inc({ outcome });
export const countMailSent = (kind: string): void => mail.sent.inc({ kind });
export const countMailAttemptFailed = (kind: string): void => mail.attemptsFailed.inc({ kind });

/** Node's own metrics (event-loop lag, memory, CPU, handles), started once per process by the first app built. */
export function startProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: processRegistry });
}
