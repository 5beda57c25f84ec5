import type { Kysely } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';
import { parseLane } from './repository.ts';

/** The names of a location's chairs, rooms and clinicians, to say what a proposed time holds ("Chair 2, Nia Brooks"). */
export async function resourceNames(db: Kysely<DB>): Promise<(id: string | null) => string> {
  const [rooms, clinicians] = await Promise.all([
    db.selectFrom('rooms').select(['id', 'name']).execute(),
    db.selectFrom('clinicians').select(['id', 'name']).execute(),
  ]);
  const names = new Map<string, string>([...rooms, ...clinicians].map((r) => [r.id, r.name]));
  return (id) => (id === null ? '' : (names.get(parseLane(id).nurseId) ?? ''));
}
