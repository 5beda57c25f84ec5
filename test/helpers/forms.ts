/** Submitting a server-rendered form the way a browser would, for the set-up tests. */
import { expect } from 'vitest';
import type { Browser } from './staff.ts';

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** What a browser would submit from the form with this action: its inputs (checked boxes only), text areas and selects. */
export function formFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const out: Record<string, string> = {};
  for (const [, attrs] of form.matchAll(/<input([^>]*)>/g)) {
    const name = /\sname="([^"]*)"/.exec(attrs!)?.[1];
    if (!name) continue;
    const type = /\stype="([^"]*)"/.exec(attrs!)?.[1] ?? 'text';
    if ((type === 'checkbox' || type === 'radio') && !/\schecked(\s|$)/.test(attrs!)) continue;
    out[name] = decode(/\svalue="([^"]*)"/.exec(attrs!)?.[1] ?? '');
  }
  for (const [, name, text] of form.matchAll(/<textarea[^>]*\sname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out[name!] = decode(text!);
  for (const [, name, options] of form.matchAll(/<select[^>]*\sname="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected/.exec(options!) ?? /<option value="([^"]*)"/.exec(options!);
    if (chosen) out[name!] = decode(chosen[1]!);
  }
  return out;
}

/** Opens a set-up page and submits its form with some fields changed. */
export async function submit(b: Browser, page: string, action: string, changes: Record<string, string | undefined>) {
  const res = await b.get(page);
  expect(res.statusCode, `${page}: ${res.body.slice(0, 300)}`).toBe(200);
  const fields = { ...formFields(res.body, action), ...changes };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete fields[k];
  return b.post(action, fields as Record<string, string>);
}
