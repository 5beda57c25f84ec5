/** Free text with its line breaks, as escaped text separated by <br>. */
export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * A first name fit to greet someone with in an email: letters and marks in at most three words joined by spaces,
 * apostrophes or hyphens, up to 40 characters. Anything else (a phone number, an address, a sentence) is not put into
 * the clinic's email, which would lend it the clinic's voice; the greeting goes without a name instead.
 */
const GREETABLE =
  /^\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*(?: \p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*){0,2}$/u;

export function greetingName(name: string | null | undefined): string | null {
  const trimmed = (name ?? '').trim();
  return trimmed.length <= 40 && GREETABLE.test(trimmed) ? trimmed : null;
}

/** "Hello Ana," or, for a name not fit to repeat, "Hello,". */
export function greeting(name: string | null | undefined): string {
  const fit = greetingName(name);
  return fit === null ? 'Hello,' : `Hello ${fit},`;
}
