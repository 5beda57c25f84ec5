import type { AppointmentTypeTable, TypeKind } from '../kernel/db/schema.ts';

/**
 * The kinds of appointment code branches on (online booking offers the consultation kind; the calendar colours by
 * kind). Types themselves are the clinic's data: any number of each kind, named and timed as the clinic likes.
 */
export const TYPE_KINDS = ['consultation', 'infusion', 'booster', 'follow-up'] as const satisfies readonly TypeKind[];

type Needs = Pick<AppointmentTypeTable, 'needs_provider' | 'needs_nurse' | 'place'>;

/** What one appointment of the type holds for its whole time: ['provider', 'room'] or ['nurse', 'chair']. */
export function resourceNeeds(t: Needs): string[] {
  return [t.needs_provider ? 'provider' : '', t.needs_nurse ? 'nurse' : '', t.place === 'none' ? '' : t.place].filter(
    Boolean,
  );
}

/** "Provider, room" or "Nurse, chair" (for tables). */
export function resourceSummary(t: Needs): string {
  const text = resourceNeeds(t).join(', ');
  return text ? text[0]!.toUpperCase() + text.slice(1) : 'Nothing';
}

/** "a nurse and a chair" or "a provider, a nurse and a room" (for sentences). */
export function resourcePhrase(t: Needs): string {
  const each = resourceNeeds(t).map((n) => `a ${n}`);
  return each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : (each[0] ?? 'nothing');
}

/**
 * The kinds that need a supervising provider on site for the whole visit (issue 11 §5): an infusion's kind, which
 * never changes once booked (migration 024), rather than a flag an administrator could clear on an infusion type.
 */
export const SUPERVISED_KINDS: ReadonlySet<TypeKind> = new Set<TypeKind>(['infusion', 'booster']);
export const needsSupervisor = (t: Pick<AppointmentTypeTable, 'kind'>): boolean => SUPERVISED_KINDS.has(t.kind);
