import type { LightMyRequestResponse } from 'fastify';
import { DEMO_PASSWORD, DEMO_STAFF } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import type { TestRuntime } from './runtime.ts';
import { nextIp } from './journey.ts';

/** A tiny cookie jar for app.inject. */
export class Browser {
  cookies = new Map<string, string>();
  ip = nextIp();
  constructor(private rt: TestRuntime) {}

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    const res = await this.rt.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.cookieHeader },
    });
    this.remember(res);
    return res;
  }

  async post(url: string, fields: Record<string, string>) {
    const res = await this.rt.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    this.remember(res);
    return res;
  }
}

export const csrfFrom = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export function demoAccount(email: string) {
  const account = DEMO_STAFF.find((s) => s.email === email);
  if (!account) throw new Error(`no demo account ${email}`);
  return account;
}

/** Signs a demo account in through the real forms (password, then TOTP); returns the browser. */
export async function signIn(rt: TestRuntime, email: string): Promise<Browser> {
  const b = new Browser(rt);
  const form = await b.get('/staff/sign-in');
  const res = await b.post('/staff/sign-in', {
    _csrf: csrfFrom(form.body),
    email,
    password: DEMO_PASSWORD,
    next: '/staff',
  });
  if (res.statusCode !== 303) throw new Error(`password step failed: ${res.statusCode}`);
  const mfa = await b.get(res.headers.location as string);
  const done = await b.post('/staff/mfa', {
    _csrf: csrfFrom(mfa.body),
    code: totpCode(demoAccount(email).totp, rt.clock.now()),
    next: '/staff',
  });
  if (done.statusCode !== 303) throw new Error(`mfa step failed: ${done.statusCode} ${done.body.slice(0, 300)}`);
  // Each sign-in uses its own 30 s step, so that another sign-in of the same account right after is not a replay.
  rt.clock.advance(30_000);
  return b;
}

/** Searches patients as the page does (a posted form, so the search stays out of the address). */
export async function searchPatientsAs(b: Browser, q: string) {
  const page = await b.get('/staff/patients');
  return b.post('/staff/patients', { _csrf: csrfFrom(page.body), q });
}
