/**
 * An administrator (the medical director) edits a protocol whole: every figure with its source, and its other orders
 * added, changed or taken out. Saved as the protocol's next version through the one writer of versions.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import type { Values } from '../../kernel/ui/form.tsx';
import { saveNextVersion } from './next-version.ts';
import { readProtocolForm } from './protocol-form.ts';

export async function saveProtocolEdit(
  database: Database,
  actor: Actor,
  code: string,
  basedOn: number,
  values: Values,
): Promise<{ ok: true; version: number } | Refusal> {
  return saveNextVersion(database, actor, {
    code,
    basedOn,
    action: 'protocol.edit',
    detail: {},
    build: (latest) => {
      const read = readProtocolForm(latest, values);
      if (!read.ok) return refuse('invalid_request', 'The protocol was not saved.', read.errors);
      return read.definition;
    },
  });
}
