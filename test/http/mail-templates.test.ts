import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';

describe('the outbox with the features’ templates', () => {
  const rt = useTestRuntime({ shared: true });

  it('keeps a job of an unknown kind for retry with a clear error, and sends nothing for it', async () => {
    const now = rt().clock.now();
    await rt()
      .database.db.insertInto('outbox')
      .values({
        id: 'job-unknown',
        kind: 'fax_sent',
        ref_id: 'ref-1',
        dedupe_key: null,
        status: 'pending',
        run_at: now,
        locked_until: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .execute();
    await rt().worker.runOnce();
    const job = await rt()
      .database.db.selectFrom('outbox')
      .select(['status', 'attempts', 'last_error'])
      .where('id', '=', 'job-unknown')
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'pending', attempts: 1, last_error: 'no mail template for kind "fax_sent"' });
    expect(rt().mail.sent).toEqual([]);
  });
});
