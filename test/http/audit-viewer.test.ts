import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { signIn } from '../helpers/staff.ts';

const ADMIN = 'admin@relief.example';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const auditSeqs = (html: string) => [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
const nextHref = (html: string) => /<a[^>]*href="([^"]*page=2[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');

describe(`audit viewer (${engine})`, () => {
  it('audit viewer paging: page 2 does not repeat an event of page 1 (viewing page 1 is itself recorded)', async () => {
    const admin = await signIn(rt(), ADMIN);
    for (let i = 0; i < 60; i++) await admin.get('/staff/leads'); // 60 lead.list events, and then some
    const first = await admin.get('/staff/audit');
    expect(first.statusCode).toBe(200);
    const page1 = auditSeqs(first.body);
    expect(page1).toHaveLength(50);
    const second = await admin.get(nextHref(first.body));
    const page2 = auditSeqs(second.body);
    // SHOULD: pages are disjoint and continue where page 1 stopped.
    expect(page2.filter((s) => page1.includes(s))).toEqual([]);
    expect(page2[0]).toBe(Math.min(...page1) - 1);
  });
});
