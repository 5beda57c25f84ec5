import type { Kysely } from 'kysely';
import { clinicLogo, getClinic } from '../../clinic.ts';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { DEFAULT_BRAND, type Brand } from './brand.ts';

/**
 * Every staff page shows the brand, so keep it per database for a few seconds (like the availability set-up
 * cache). Saves through the app call forgetBrand() so they show at once; the expiry covers other instances.
 */
const TTL_MS = 5_000;
const cache = new WeakMap<Kysely<DB>, { brand: Brand; expires: number }>();

export function forgetBrand(database: Database): void {
  cache.delete(database.db);
}

export async function currentBrand(database: Database): Promise<Brand> {
  const hit = cache.get(database.db);
  if (hit && hit.expires > Date.now()) return hit.brand;
  const brand = (await getClinic(database.db))?.brand ?? DEFAULT_BRAND;
  cache.set(database.db, { brand, expires: Date.now() + TTL_MS });
  return brand;
}

/** The logo's type, hash and bytes, read only when the image itself is asked for; undefined when there is none. */
export const currentLogo = (database: Database) => clinicLogo(database.db);
