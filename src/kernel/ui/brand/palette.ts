import { AA_TEXT, contrastRatio, formatRatio, mix, parseHex, toHex, type Rgb } from './contrast.ts';

/** site.css's --primary: new and migrated clinics start with it, so nothing looks different until an admin changes it. */
export const DEFAULT_ACCENT = '#0d5c61';

export const ACCENT_FORMAT_MESSAGE = 'Write the accent color as # followed by six hex digits, like #0d5c61.';

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
/** site.css --bg, the page background. Links also sit on white (--surface), which is lighter, so this is the harder case. */
const PAGE_BG: Rgb = [0xf7, 0xf6, 0xf2];

export interface Palette {
  accent: string;
  /** Hover and pressed states: darker, so every contrast below only improves. */
  dark: string;
  /** Pale panels (hero, call to action, secondary-button hover), which links in the accent also sit on. */
  tint: string;
}

/**
 * The amounts reproduce site.css's hand-picked --primary-dark and --tint for the default accent (within one step).
 * The tint is lightened further when needed so that links in the accent stay AA on it; with white (100 %) they
 * always do, as white is lighter than the page background the accent was checked against.
 */
export function palette(accent: Rgb): Palette {
  let tint = mix(accent, WHITE, 0.91);
  for (let percent = 92; percent <= 100 && contrastRatio(accent, tint) < AA_TEXT; percent++)
    tint = mix(accent, WHITE, percent / 100);
  return { accent: toHex(accent), dark: toHex(mix(accent, BLACK, 0.27)), tint: toHex(tint) };
}

export interface AccentCheck {
  ratio: number;
  /** The refusal, given the colour and the measured ratio. */
  refusal: (accent: string, ratio: string) => string;
}

const need = `it needs at least ${AA_TEXT}:1 (WCAG 2.1 AA)`;

/**
 * The places the accent meets text, with its contrast there. Other pairs follow from these: white (--surface) is
 * lighter than the page background, the dark shade only gains contrast, and the tint is made to pass (palette()).
 */
export function accentChecks(accent: Rgb): AccentCheck[] {
  return [
    {
      ratio: contrastRatio(WHITE, accent),
      refusal: (hex, r) =>
        `White text on ${hex} (buttons, the email header) has a contrast of only ${r}; ${need}. Choose a darker color.`,
    },
    {
      ratio: contrastRatio(accent, PAGE_BG),
      refusal: (hex, r) =>
        `Links in ${hex} on the page background have a contrast of only ${r}; ${need}. Choose a darker color.`,
    },
  ];
}

/** Why this accent cannot be used (the first failing place, with its ratio), or undefined when it can. */
export function accentProblem(accent: string): string | undefined {
  const rgb = parseHex(accent);
  if (!rgb) return ACCENT_FORMAT_MESSAGE;
  const failing = accentChecks(rgb).find((c) => c.ratio < AA_TEXT);
  return failing ? failing.refusal(accent, formatRatio(failing.ratio)) : undefined;
}

/**
 * The accent as it may be written into CSS or a style attribute: only a value that parses as #rrggbb, whatever
 * the database holds (anything else falls back to the default), so no stored value can break out of a declaration.
 */
export const safeAccent = (accent: string) => (parseHex(accent) ? accent : DEFAULT_ACCENT);

/** The generated stylesheet that follows site.css and overrides its colour variables. */
export function brandCss(accent: string): string {
  const p = palette(parseHex(safeAccent(accent))!);
  return (
    '/* The clinic accent color, set in Clinic settings; overrides site.css. */\n' +
    `:root { --primary: ${p.accent}; --link: ${p.accent}; --primary-dark: ${p.dark}; --link-hover: ${p.dark}; --tint: ${p.tint}; }\n`
  );
}
