import { describe, expect, it } from 'vitest';
import { createMailRenderer, mailRegistry, type MailTemplate } from '../../src/kernel/outbox/templates.tsx';
import type { OutboxJob } from '../../src/kernel/outbox/outbox.ts';
import { Tokens } from '../../src/kernel/tokens.ts';

const nothing: MailTemplate = async () => null;

const job = (kind: string): OutboxJob => ({
  id: 'job-1',
  kind,
  ref_id: 'ref-1',
  dedupe_key: null,
  status: 'sending',
  attempts: 1,
  run_at: 0,
  locked_until: 1,
  last_error: null,
  created_at: 0,
  sent_at: null,
  first_due_at: 0,
  failure_class: null,
  failed_at: null,
  location_id: null,
  resolved_at: null,
  resolved_by: null,
  resolution: null,
});

describe('mail templates: the outbox renders what the features register', () => {
  it('composes the features’ templates by kind', () => {
    const registry = mailRegistry({ a: nothing }, { b: nothing, c: nothing });
    expect(Object.keys(registry)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a kind registered twice, at start-up', () => {
    expect(() => mailRegistry({ a: nothing, b: nothing }, { b: nothing })).toThrow(
      'two mail templates are registered for kind "b"',
    );
  });

  it('fails a job of a kind no feature registered, naming the kind (the worker retries it, then gives up)', async () => {
    const render = createMailRenderer({} as never, {
      db: undefined as never, // never reached: the kind is looked up first
      tokens: new Tokens('s'.repeat(40)),
      publicUrl: 'http://relief.test',
      messageDomain: 'relief.test',
      secret: 's'.repeat(40),
      now: () => 0,
    });
    await expect(render(job('fax_sent'))).rejects.toThrow('no mail template for kind "fax_sent"');
    // A kind is an own key of the registry, not anything an object inherits.
    await expect(render(job('toString'))).rejects.toThrow('no mail template for kind "toString"');
  });
});
