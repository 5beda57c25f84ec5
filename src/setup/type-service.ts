import { randomUUID } from 'node:crypto';
import type { Database } from '../kernel/db/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../kernel/db/database.ts';
import type { TypeKind } from '../kernel/db/schema.ts';
import { notFound, Refusal } from '../kernel/refusal.ts';
import { resourceSummary } from '../scheduling/type-needs.ts';
import {
  deleteAppointmentType,
  findAppointmentType,
  insertAppointmentType,
  listAppointmentTypes,
  typeNames,
  typeUses,
  updateAppointmentType,
  type AppointmentType,
} from './repository.ts';
import { saveSetup, type Actor } from './service.ts';
import type { NewTypeInput, TypeInput } from './type-schema.ts';

export const appointmentTypes = (database: Database) => listAppointmentTypes(database.db);

/** A type by its short name; anything else is not found. */
export async function appointmentTypeOr404(database: Database, code: unknown): Promise<AppointmentType> {
  const known = typeof code === 'string' && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(code) && code.length <= 40;
  const type = known ? await findAppointmentType(database.db, code) : undefined;
  if (!type) throw notFound('That appointment type');
  return type;
}

/** Whether the type has visits or waitlist entries (then it can be retired, never deleted). */
export const typeInUse = async (database: Database, type: AppointmentType) =>
  (await typeUses(database.db, type.id)) > 0;

const settings = (v: TypeInput) => ({
  name: v.name,
  duration_min: v.duration,
  buffer_before_min: v.buffer_before,
  buffer_after_min: v.buffer_after,
  min_notice_min: v.notice * 60,
  step_min: v.step,
  needs_provider: v.needs_provider ? 1 : 0,
  needs_nurse: v.needs_nurse ? 1 : 0,
  place: v.place,
  online_bookable: v.online_bookable ? 1 : 0,
  preparation: v.preparation,
});

const auditDetail = (code: string, v: TypeInput) => ({
  type: code,
  duration: v.duration,
  bufferBefore: v.buffer_before,
  bufferAfter: v.buffer_after,
  noticeHours: v.notice,
  step: v.step,
  online: v.online_bookable,
  preparationChars: v.preparation.length,
  needs: resourceSummary({
    needs_provider: Number(v.needs_provider),
    needs_nurse: Number(v.needs_nurse),
    place: v.place,
  }),
});

/**
 * The rules a type's name and online booking follow: names are unique (retired types included, so history reads
 * unambiguously); online booking offers consultations only, and one consultation type at a time.
 */
async function checkRules(
  database: Database,
  self: { id: string | null; kind: TypeKind; retired_at?: number | null },
  v: TypeInput,
): Promise<Refusal | undefined> {
  const others = (await typeNames(database.db)).filter((t) => t.id !== self.id);
  const clash = others.find((t) => t.name.toLowerCase() === v.name.toLowerCase());
  if (clash) {
    const message = `Another appointment type is already called “${clash.name}”${clash.retired_at ? ' (retired)' : ''}. Choose another name.`;
    return new Refusal('invalid_request', message, { name: message });
  }
  if (!v.online_bookable) return undefined;
  if (self.retired_at) {
    const message = 'A retired type is not offered online. Put it back in use first.';
    return new Refusal('invalid_request', message, { online_bookable: message });
  }
  if (self.kind !== 'consultation') {
    const message = 'Only consultations are booked online; other kinds of appointment are booked by staff.';
    return new Refusal('invalid_request', message, { online_bookable: message });
  }
  const online = others.find((t) => t.kind === 'consultation' && t.online_bookable && !t.retired_at);
  if (online) {
    const message = `“${online.name}” is the consultation patients book online. Untick it there first: online booking offers one consultation type.`;
    return new Refusal('invalid_request', message, { online_bookable: message });
  }
  return undefined;
}

/** Name, durations, buffers, notice, step and what one appointment holds. Booked visits keep their times. */
export async function saveAppointmentType(
  database: Database,
  actor: Actor,
  code: unknown,
  v: TypeInput,
): Promise<AppointmentType | Refusal> {
  const type = await appointmentTypeOr404(database, code);
  const refused = await checkRules(database, type, v);
  if (refused) return refused;
  await saveSetup(database, actor, { thing: 'appointment_type', locationId: null }, async (trx) => {
    await updateAppointmentType(trx, type.id, settings(v));
    return { result: undefined, detail: auditDetail(type.code, v) };
  });
  return { ...type, ...settings(v) };
}

/** A short name for addresses from the name: "Extended infusion" → extended-infusion (then -2, -3 if taken). */
function shortName(name: string, taken: Set<string>): string {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32)
      .replace(/-+$/, '') || 'type';
  // "new" is the address of the form for a new type.
  for (let n = 1; ; n++) {
    const code = n === 1 ? base : `${base}-${n}`;
    if (code !== 'new' && !taken.has(code)) return code;
  }
}

/** Adds a type of the chosen kind; it is offered for booking at once. */
export async function createAppointmentType(
  database: Database,
  actor: Actor,
  v: NewTypeInput,
): Promise<AppointmentType | Refusal> {
  const refused = await checkRules(database, { id: null, kind: v.kind }, v);
  if (refused) return refused;
  const code = shortName(v.name, new Set((await typeNames(database.db)).map((t) => t.code)));
  const row = { id: randomUUID(), code, kind: v.kind, retired_at: null, ...settings(v) };
  try {
    await saveSetup(database, actor, { thing: 'appointment_type_create', locationId: null }, async (trx) => {
      await insertAppointmentType(trx, row);
      return { result: undefined, detail: { ...auditDetail(code, v), kind: v.kind } };
    });
  } catch (err) {
    // Another administrator added one of the same short name a moment ago.
    if (!isUniqueViolation(err)) throw err;
    return new Refusal('conflict', 'That name was just taken. Please try again.', { name: 'Choose another name.' });
  }
  return row;
}

export type TypeChange =
  | { action: 'retired'; type: AppointmentType; wasOnline: boolean }
  | { action: 'restored'; type: AppointmentType }
  | { action: 'deleted'; type: AppointmentType };

/**
 * Retire (no longer offered or bookable; visits keep it), restore, or delete a type that was never used. A type with
 * visits or waitlist entries is retired, never deleted: the database refuses the delete too (ON DELETE RESTRICT).
 */
export async function changeAppointmentType(
  database: Database,
  actor: Actor,
  code: unknown,
  action: unknown,
): Promise<TypeChange | Refusal> {
  const type = await appointmentTypeOr404(database, code);
  if (action === 'retire') {
    if (type.retired_at !== null) return { action: 'retired', type, wasOnline: false };
    // A retired type is never offered online, so restoring it cannot make two online consultation types.
    await saveSetup(database, actor, { thing: 'appointment_type_retire', locationId: null }, async (trx) => {
      await updateAppointmentType(trx, type.id, { retired_at: actor.now, online_bookable: 0 });
      return { result: undefined, detail: { type: type.code } };
    });
    return {
      action: 'retired',
      type: { ...type, retired_at: actor.now, online_bookable: 0 },
      wasOnline: !!type.online_bookable,
    };
  }
  if (action === 'restore') {
    await saveSetup(database, actor, { thing: 'appointment_type_restore', locationId: null }, async (trx) => {
      await updateAppointmentType(trx, type.id, { retired_at: null });
      return { result: undefined, detail: { type: type.code } };
    });
    return { action: 'restored', type: { ...type, retired_at: null } };
  }
  if (action === 'delete') {
    const used = new Refusal(
      'conflict',
      `“${type.name}” has bookings, so it cannot be deleted. Retire it instead: it is then no longer offered, and its visits keep their type.`,
    );
    if (await typeInUse(database, type)) return used;
    try {
      await saveSetup(database, actor, { thing: 'appointment_type_delete', locationId: null }, async (trx) => {
        await deleteAppointmentType(trx, type.id);
        return { result: undefined, detail: { type: type.code, name: type.name } };
      });
    } catch (err) {
      // Booked between the check and the delete: the database kept the type.
      if (isForeignKeyViolation(err)) return used;
      throw err;
    }
    return { action: 'deleted', type };
  }
  throw notFound();
}
