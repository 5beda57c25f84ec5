import type { TestRuntime } from './runtime.ts';

/** `count` consultation requests at Chicago written directly (status new), 1 s apart from `from`, named `<prefix>00`, `<prefix>01`, .... */
export async function insertBulkRequests(
  rt: TestRuntime,
  count: number,
  from: number,
  prefix = 'Person',
): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    idempotency_key: `bulk-${i}`,
    body_hash: 'x',
    location_id: 'loc-chicago',
    first_name: 'Bulk',
    last_name: `${prefix}${String(i).padStart(2, '0')}`,
    email: `bulk${i}@example.com`,
    phone: '+13125550147',
    contact_method: 'email',
    reason: 'crps',
    heard_from: '',
    message: '',
    consent_at: from,
    status: 'new',
    created_at: from + i * 1000,
  }));
  await rt.database.db.insertInto('consultation_requests').values(rows).execute();
}
