import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AA_TEXT,
  contrastRatio,
  formatRatio,
  mix,
  parseHex,
  relativeLuminance,
  toHex,
  type Rgb,
} from '../../src/kernel/ui/brand/contrast.ts';
import {
  accentChecks,
  accentProblem,
  brandCss,
  DEFAULT_ACCENT,
  palette,
  safeAccent,
} from '../../src/kernel/ui/brand/palette.ts';

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const grey = (v: number): Rgb => [v, v, v];

describe('contrast arithmetic (WCAG 2.1)', () => {
  it('spans 1:1 to 21:1, in either order', () => {
    expect(contrastRatio(WHITE, BLACK)).toBe(21);
    expect(contrastRatio(BLACK, WHITE)).toBe(21);
    expect(contrastRatio(grey(0x80), grey(0x80))).toBe(1);
  });

  it('puts the AA line for text on white between #777777 and #767676, as published references do', () => {
    expect(contrastRatio(grey(0x76), WHITE)).toBeCloseTo(4.54, 2);
    expect(contrastRatio(grey(0x77), WHITE)).toBeCloseTo(4.48, 2);
    expect(contrastRatio(grey(0x76), WHITE)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrastRatio(grey(0x77), WHITE)).toBeLessThan(AA_TEXT);
  });

  it('uses the linear segment for dark channels and the power curve above it', () => {
    expect(relativeLuminance([10, 0, 0])).toBeCloseTo((0.2126 * 10) / 255 / 12.92, 12);
    expect(relativeLuminance([0, 11, 0])).toBeCloseTo(0.7152 * ((11 / 255 + 0.055) / 1.055) ** 2.4, 12);
    expect(relativeLuminance(WHITE)).toBeCloseTo(1, 12);
  });

  it('shows ratios rounded down, so a refusal never reads 4.50:1', () => {
    expect(formatRatio(4.4999)).toBe('4.49:1');
    expect(formatRatio(4.5)).toBe('4.50:1');
    expect(formatRatio(21)).toBe('21.00:1');
  });

  it('reads only #rrggbb in lower case, and writes it back', () => {
    expect(parseHex('#0d5c61')).toEqual([13, 92, 97]);
    for (const bad of [
      '#fff',
      '#0D5C61',
      '0d5c61',
      'red',
      'red;}body{',
      'url(x)',
      '#0d5c61;',
      ' #0d5c61',
      '#0d5c6',
      '#0d5c611',
      '#gggggg',
      '',
    ]) {
      expect(parseHex(bad), bad).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), (rgb) => {
        expect(parseHex(toHex(rgb))).toEqual(rgb);
      }),
    );
  });

  it('mixes channel by channel', () => {
    expect(mix(BLACK, WHITE, 0.5)).toEqual([128, 128, 128]);
    expect(mix([13, 92, 97], WHITE, 0)).toEqual([13, 92, 97]);
    expect(mix([13, 92, 97], WHITE, 1)).toEqual([255, 255, 255]);
  });
});

describe('accent colour checks', () => {
  it('accepts the default accent, and derives shades within one step of site.css (#094447, #e8f1f0)', () => {
    expect(accentProblem(DEFAULT_ACCENT)).toBeUndefined();
    const p = palette(parseHex(DEFAULT_ACCENT)!);
    const close = (a: string, b: string) => parseHex(a)!.every((c, i) => Math.abs(c - parseHex(b)![i]!) <= 1);
    expect(close(p.dark, '#094447')).toBe(true);
    expect(close(p.tint, '#e8f1f0')).toBe(true);
  });

  it('draws the line for white text between #767676 and #777777', () => {
    expect(accentChecks(grey(0x76))[0]!.ratio).toBeGreaterThanOrEqual(AA_TEXT);
    expect(accentChecks(grey(0x77))[0]!.ratio).toBeLessThan(AA_TEXT);
    expect(accentProblem('#777777')).toBe(
      'White text on #777777 (buttons, the email header) has a contrast of only 4.47:1; it needs at least 4.5:1 (WCAG 2.1 AA). Choose a darker color.',
    );
  });

  it('draws the line for links on the page background (#f7f6f2) between #717171 and #727272', () => {
    expect(accentProblem('#717171')).toBeUndefined();
    expect(accentProblem('#727272')).toBe(
      'Links in #727272 on the page background have a contrast of only 4.44:1; it needs at least 4.5:1 (WCAG 2.1 AA). Choose a darker color.',
    );
    // White text on #767676 passes, but links in it on the page background do not.
    expect(accentProblem('#767676')).toContain('on the page background have a contrast of only 4.20:1');
  });

  it('refuses light and bright colours and anything that is not #rrggbb', () => {
    expect(accentProblem('#ffcc00')).toContain('White text on #ffcc00');
    expect(accentProblem('#ff0000')).toContain('3.99:1');
    expect(accentProblem('#000000')).toBeUndefined();
    expect(accentProblem('#fff')).toContain('six hex digits');
  });

  it('every accepted accent keeps AA wherever it is used, including the derived tint and dark shade', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), (rgb) => {
        if (accentProblem(toHex(rgb))) return;
        const p = palette(rgb);
        const [accent, dark, tint] = [p.accent, p.dark, p.tint].map((h) => parseHex(h)!) as [Rgb, Rgb, Rgb];
        expect(contrastRatio(accent, tint)).toBeGreaterThanOrEqual(AA_TEXT);
        expect(contrastRatio(dark, tint)).toBeGreaterThanOrEqual(AA_TEXT);
        expect(contrastRatio(WHITE, dark)).toBeGreaterThanOrEqual(AA_TEXT);
        expect(contrastRatio(accent, WHITE)).toBeGreaterThanOrEqual(AA_TEXT);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes only a checked colour into CSS or style attributes', () => {
    expect(brandCss('#7a1f5c')).toContain('--primary: #7a1f5c;');
    expect(brandCss('red;}body{background:url(x)')).toBe(brandCss(DEFAULT_ACCENT));
    expect(safeAccent('#7a1f5c')).toBe('#7a1f5c');
    expect(safeAccent('red;background:url(x)')).toBe(DEFAULT_ACCENT);
  });
});
