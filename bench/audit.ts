/**
 * The audit trail at size: a fresh database with `events` audit events seeded in bulk by a child process (hash chain
 * and all), then the viewer's first page (GET /staff/audit as an admin, through app.inject, which also appends the
 * viewing's own event as the route always does) and `relief audit verify` (auditVerifyCommand, with its progress
 * stream not a terminal, as under cron) over the whole chain.
 */
import { startBenchRuntime } from './setup.ts';
import { runChild } from './child.ts';
import type { AuditSeedResult } from './audit-seed-child.ts';
import { adminCookie } from './calendar.ts';
import { auditVerifyCommand } from '../src/kernel/audit/verify-command.ts';
import { AUDIT_PAGE_SIZE } from '../src/audit-viewer/service.ts';
import { collectGarbage, latencyOf, sample, type Latency } from './stats.ts';

export interface AuditResult {
  events: number;
  seedSeconds: number;
  firstPage: Latency;
  /** The first page for one person (a staff member with about a twelfth of the events), for context. */
  personPage: Latency;
  pageBytes: number;
  verified: number;
  verifySeconds: number;
  verifyPerSec: number;
  verdict: string;
}

export async function measureAudit(opts: {
  now: number;
  events: number;
  pageRuns: number;
  log: (line: string) => void;
}): Promise<AuditResult> {
  const t = performance.now();
  let seeded: AuditSeedResult | undefined;
  const bench = await startBenchRuntime(async (config) => {
    seeded = await runChild<AuditSeedResult>('./audit-seed-child.ts', {
      dataDir: config.dataDir,
      schema: config.databaseSchema,
      auditKey: config.audit.key.toString('hex'),
      now: opts.now,
      count: opts.events,
    });
  });
  try {
    const seedSeconds = (performance.now() - t) / 1000;
    opts.log(`audit: ${seeded!.count} events seeded in ${seedSeconds.toFixed(1)} s; the viewer's first page`);
    const { app, database } = bench.runtime;
    const cookie = await adminCookie(app, database);
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
      return res.body;
    };
    const first = () => get('/staff/audit');
    const person = () => get('/staff/audit?person=staff1%40relief.example');
    const body = await first();
    const shown = body.split('<tr').length - 2; // less the header row
    if (shown !== AUDIT_PAGE_SIZE) throw new Error(`the audit viewer's first page shows ${shown} rows`);
    collectGarbage();
    await sample(0, 5, first);
    await sample(0, 2, person);
    const firstPage: number[] = [],
      personPage: number[] = [];
    for (let block = 0; block < 4; block++) {
      firstPage.push(...(await sample(opts.pageRuns / 4, 0, first)));
      personPage.push(...(await sample(Math.max(1, opts.pageRuns / 20), 0, person)));
    }

    opts.log('audit: relief audit verify over the whole chain');
    collectGarbage();
    const lines: string[] = [];
    const t0 = performance.now();
    const code = await auditVerifyCommand(
      database,
      { checkpointFiles: [bench.config.audit.checkpointFile], keyFrom: 'SECRET' },
      (line) => lines.push(line),
      { isTTY: false, write: () => true },
    );
    const verifySeconds = (performance.now() - t0) / 1000;
    const verdict = lines.join(' ');
    const verified = Number(/intact: (\d+) events/.exec(verdict)?.[1] ?? NaN);
    if (code !== 0 || !(verified > seeded!.count)) throw new Error(`audit verify: ${verdict}`);
    return {
      events: seeded!.count,
      seedSeconds,
      firstPage: latencyOf(firstPage),
      personPage: latencyOf(personPage),
      pageBytes: Buffer.byteLength(body),
      verified,
      verifySeconds,
      verifyPerSec: verified / verifySeconds,
      verdict,
    };
  } finally {
    await bench.teardown();
  }
}
