/**
 * WCAG 2.1 contrast arithmetic on sRGB colours written #rrggbb. Pure, so the boundaries can be unit-tested.
 * https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio and #dfn-relative-luminance
 */
export type Rgb = readonly [number, number, number];

/** AA for normal-size text (success criterion 1.4.3). */
export const AA_TEXT = 4.5;

const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/;

/** Only the exact lower-case form #rrggbb; anything else (short forms, names, functions) is undefined. */
export function parseHex(hex: string): Rgb | undefined {
  const m = HEX.exec(hex);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : undefined;
}

export function toHex(rgb: Rgb): string {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * Relative luminance. WCAG 2.1 prints the linear-segment threshold as 0.03928 (from an sRGB draft); the sRGB
 * standard says 0.04045. No 8-bit channel value lies between the two (10/255 = 0.0392, 11/255 = 0.0431), so
 * both give the same result here.
 */
export function relativeLuminance([r, g, b]: Rgb): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** (lighter + 0.05) / (darker + 0.05): from 1 (no contrast) to 21 (black on white); order does not matter. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * A ratio as people read it, e.g. "4.49:1". Rounded down, so a refused colour never shows "4.50:1" next to a
 * 4.5:1 minimum.
 */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;
}

/** `a` blended toward `b` by `amount` (0 = a, 1 = b), channel by channel in sRGB, rounded to whole values. */
export function mix(a: Rgb, b: Rgb, amount: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * amount)) as unknown as Rgb;
}
