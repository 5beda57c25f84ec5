import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse } from '../../kernel/refusal.ts';
import { recordLimits } from './definitions.ts';
import { parseProfile, type Values } from './forms.ts';
import { profileOf, writeProfile, type ProfileRow, type ProfileValues } from './repository.ts';
import { recordWrite } from './write.ts';

const FIELDS: Array<[keyof ProfileValues, string]> = [
  ['date_of_birth', 'date of birth'],
  ['sex', 'sex'],
  ['pregnancy_possible', 'whether pregnancy is possible'],
  ['height_cm', 'height'],
];

/**
 * Saves date of birth, sex, whether pregnancy is possible and height, if the profile is still at the version the
 * form was loaded at. Otherwise nothing is written and the refusal says who changed what, and when.
 */
export function saveProfile(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.profile.save', async (trx, context) => {
    const parsed = parseProfile(values, await recordLimits(trx), context.today);
    if (!parsed.ok) return parsed;
    const basedOn = /^\d{1,9}$/.test(values.version ?? '') ? Number(values.version) : -1;
    const written = await writeProfile(trx, context.patientId, basedOn, parsed.data, actor.staff.userId, actor.now);
    if (!written) return stale(await profileOf(trx, context.patientId), parsed.data);
    return { version: basedOn + 1, detail: { version: basedOn + 1 } };
  });
}

function stale(current: ProfileRow | undefined, mine: ProfileValues) {
  const differs = current ? FIELDS.filter(([key]) => current[key] !== mine[key]).map(([, label]) => label) : [];
  const what = differs.length > 0 ? ` (changed: ${differs.join(', ')})` : '';
  const who = current ? `${current.updated_by_name} saved the profile` : 'The profile changed';
  const message = `${who} after you opened this form${what}. Nothing was saved: check the profile as it is now, then save again if your change still applies.`;
  return refuse('conflict', message, { version: message });
}
