import { createHash } from 'node:crypto';
import { LOGO_EXTENSIONS, type LogoType } from './logo.ts';
import { brandCss, DEFAULT_ACCENT } from './palette.ts';

/** What pages and emails need to show the clinic's branding: its accent colour and, if set, which logo. */
export interface Brand {
  /** '#rrggbb', checked for contrast when saved. */
  accent: string;
  logo: { type: LogoType; sha256: string } | null;
}

export const DEFAULT_BRAND: Brand = { accent: DEFAULT_ACCENT, logo: null };

/** The part of a hash in URLs: 64 bits is plenty to tell one clinic's versions apart. */
export const urlHash = (hex: string) => hex.slice(0, 16);

export const stylesheetHash = (accent: string) => urlHash(createHash('sha256').update(brandCss(accent)).digest('hex'));

/**
 * The generated stylesheet's URL. It changes whenever its content does, so it can be cached for a year; it is a
 * file from our own origin because the CSP allows no inline styles.
 */
export const stylesheetPath = (brand: Brand) => `/brand/${stylesheetHash(brand.accent)}.css`;

/** The logo's URL (a new logo gets a new URL), or undefined when the clinic has none. */
export const logoPath = (brand: Brand) =>
  brand.logo ? `/brand/logo-${urlHash(brand.logo.sha256)}.${LOGO_EXTENSIONS[brand.logo.type]}` : undefined;
