/** Free text with its line breaks, as escaped text separated by <br>. */
export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
