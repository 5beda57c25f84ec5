import { getClinic, type Clinic } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import type { LogoType } from '../kernel/ui/brand/logo.ts';
import { forgetBrand } from '../kernel/ui/brand/current.ts';
import type { ClinicInput } from './clinic-schema.ts';
import { deleteLogo, saveLogo, updateClinic } from './repository.ts';
import { saveSetup, type Actor } from './service.ts';

/** The saved settings and brand; undefined before `relief seed` has made the clinic. */
export const clinicSettings = (database: Database): Promise<Clinic | undefined> => getClinic(database.db);

export async function saveClinicSettings(database: Database, actor: Actor, v: ClinicInput): Promise<void> {
  await saveSetup(database, actor, { thing: 'clinic', locationId: null }, async (trx) => {
    const updated = await updateClinic(trx, {
      name: v.name,
      tagline: v.tagline,
      accent_color: v.accent,
      phone: v.phone,
      email: v.email,
      reminder_offsets_min: JSON.stringify(v.reminders),
      cancel_cutoff_min: v.cancel_cutoff * 60,
      booking_horizon_days: v.horizon,
      booking_link_days: v.link_days,
    });
    if (updated !== 1) throw new Error('the clinic row is missing: run `relief seed` first');
    return {
      result: undefined,
      detail: {
        accent: v.accent,
        reminders: v.reminders.length,
        cancelCutoffHours: v.cancel_cutoff,
        horizonDays: v.horizon,
        linkDays: v.link_days,
      },
    };
  });
  forgetBrand(database);
}

/** A logo that has passed checkLogo (type sniffed from its bytes, size within the limit). */
export async function saveClinicLogo(
  database: Database,
  actor: Actor,
  logo: { type: LogoType; sha256: string; data: Buffer },
): Promise<void> {
  const row = { content_type: logo.type, sha256: logo.sha256, bytes: logo.data, updated_at: actor.now };
  await saveSetup(database, actor, { thing: 'clinic_logo', locationId: null }, async (trx) => {
    await saveLogo(trx, row);
    return { result: undefined, detail: { type: logo.type, bytes: logo.data.length, sha256: logo.sha256 } };
  });
  forgetBrand(database);
}

/** True when there was a logo to remove. */
export async function removeClinicLogo(database: Database, actor: Actor): Promise<boolean> {
  const removed = await saveSetup(database, actor, { thing: 'clinic_logo_remove', locationId: null }, async (trx) => {
    const done = await deleteLogo(trx);
    return { result: done, detail: { removed: done } };
  });
  forgetBrand(database);
  return removed;
}
