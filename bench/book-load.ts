/**
 * Concurrent booking client, run as a child process so the server keeps its own event loop. Argument: a JSON plan
 * { base, warmup, bookers: [[{ path, body }]] }: each booker is one keep-alive connection posting its own bookings
 * (a booking link and a time nobody else was given) one after another, as a person clicking "Book" would; all
 * bookers run at once. Each booker's first `warmup` bookings are untimed and the timed part starts for all of them
 * together. A booking counts as done when the server answers 303 to `?status=booked`; anything else is an error.
 * Prints one JSON line: { samples (ms), errors, firstErrors, seconds }.
 */
import http from 'node:http';
import { childArgument } from './child.ts';

interface Booking {
  path: string;
  body: string;
}
interface Plan {
  base: string;
  warmup: number;
  bookers: Booking[][];
}
const plan = await childArgument<Plan>();

function post(agent: http.Agent, b: Booking): Promise<{ status: number; location: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      plan.base + b.path,
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(b.body),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), body }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(b.body);
  });
}

const samples: number[] = [];
let errors = 0;
const firstErrors: string[] = [];
async function book(agent: http.Agent, b: Booking, timed: boolean): Promise<void> {
  const t0 = performance.now();
  let problem: string | undefined;
  try {
    const res = await post(agent, b);
    if (res.status !== 303 || !res.location.endsWith('?status=booked'))
      problem = `${res.status} ${res.location} ${res.body.replace(/\s+/g, ' ').slice(0, 200)}`;
  } catch (err) {
    problem = String(err);
  }
  if (timed) samples.push(performance.now() - t0);
  if (problem !== undefined) {
    errors++;
    if (firstErrors.length < 3) firstErrors.push(problem);
  }
}

const agents = plan.bookers.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
await Promise.all(
  plan.bookers.map(async (list, i) => {
    for (const b of list.slice(0, plan.warmup)) await book(agents[i]!, b, false);
  }),
);
const t0 = performance.now();
await Promise.all(
  plan.bookers.map(async (list, i) => {
    for (const b of list.slice(plan.warmup)) await book(agents[i]!, b, true);
  }),
);
const seconds = (performance.now() - t0) / 1000;
for (const a of agents) a.destroy();
process.stdout.write(JSON.stringify({ samples, errors, firstErrors, seconds }) + '\n');
