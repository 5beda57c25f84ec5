/**
 * A definition's body as the settings form's rows and back: each cell is a form field named r{row}_{column}. Blank
 * rows are dropped (that is how a row is removed, and how the spare rows add one); the kind's own schema then judges
 * the body, and its messages are filed under the cells they are about.
 */
import type { SettingsColumn, SettingsEntry } from './registry.ts';

export type Values = Record<string, string>;

export const cellName = (row: number, key: string) => `r${row}_${key}`;

function cellText(column: SettingsColumn, value: unknown): string {
  if (column.type === 'check') return value === true ? 'yes' : '';
  if (column.type === 'list') return Array.isArray(value) ? value.join(', ') : '';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The form's values for a body: one row per item (or the single row). */
export function rowsOf(entry: SettingsEntry, body: unknown): Values {
  const items = entry.single ? [body] : Array.isArray(body) ? (body as unknown[]) : [];
  const values: Values = {};
  items.forEach((item, row) => {
    for (const column of entry.columns)
      values[cellName(row, column.key)] = cellText(column, (item as Record<string, unknown>)[column.key]);
  });
  return values;
}

function cellValue(column: SettingsColumn, raw: string): unknown {
  const text = raw.trim();
  if (column.type === 'check') return text === 'yes';
  if (column.type === 'list')
    return text === ''
      ? []
      : text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  // A figure that is not one is passed on as typed, for the schema to name.
  if (column.type === 'number') return /^-?\d{1,6}(\.\d{1,4})?$/.test(text) ? Number(text) : text;
  return text;
}

/** The body the form describes, and which form row each item came from (to file the schema's messages). */
export function bodyOf(entry: SettingsEntry, values: Values, rowCount: number): { body: unknown; rows: number[] } {
  const items: Array<Record<string, unknown>> = [];
  const rows: number[] = [];
  for (let row = 0; row < rowCount; row++) {
    const cells = entry.columns.map((c) => values[cellName(row, c.key)] ?? '');
    const blank = entry.columns.every((c, i) => c.type === 'check' || cells[i]!.trim() === '');
    if (blank && !entry.single) continue;
    items.push(Object.fromEntries(entry.columns.map((c, i) => [c.key, cellValue(c, cells[i]!)])));
    rows.push(row);
  }
  return entry.single ? { body: items[0] ?? {}, rows: [0] } : { body: items, rows };
}

/** A schema message's path ("3.code", "weightMinKg", "units.1") as the form field it is about. */
export function fieldOfPath(entry: SettingsEntry, path: string, rows: number[]): string {
  const parts = path.split('.');
  if (entry.single) return entry.columns.some((c) => c.key === parts[0]) ? cellName(0, parts[0]!) : 'rows';
  const index = Number(parts[0]);
  const key = parts[1];
  if (!Number.isInteger(index) || rows[index] === undefined || !entry.columns.some((c) => c.key === key)) return 'rows';
  return cellName(rows[index], key!);
}

/** A schema message ("weightMinKg: a number") in the form's words ("Lowest weight (kg): a number", "Code, row 3: …"). */
export function inFormWords(entry: SettingsEntry, field: string, message: string): string {
  const cell = /^r(\d+)_(.+)$/.exec(field);
  const column = cell && entry.columns.find((c) => c.key === cell[2]);
  if (!cell || !column) return message;
  const label = entry.single ? column.label : `${column.label}, row ${Number(cell[1]) + 1}`;
  return `${label}: ${message.replace(/^[\w.]+: /, '')}`;
}
