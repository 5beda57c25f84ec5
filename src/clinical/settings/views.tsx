import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { ErrorSummary, FieldError, Input, invalid, Saved, type Errors, type Values } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { shortDateTime } from '../../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { Definition } from '../definitions/store.ts';
import { OTHER_SETTINGS_PAGES, type SettingsColumn, type SettingsEntry } from './registry.ts';
import { cellName } from './rows.ts';
import type { SettingsDetail } from './service.ts';

export const SETTINGS_PATH = '/staff/clinical-settings';
const Unverified = () => <span class="badge badge-unverified">Unverified default</span>;
// Times on this page are clinic-wide, not a location's: shown in UTC, and said so.
const when = (instant: number) => (
  <time datetime={new Date(instant).toISOString()}>{shortDateTime(instant, 'UTC')}</time>
);

function VersionLabel(props: { current: Definition<unknown> }) {
  const { current } = props;
  return current.version === 0 ? (
    <Fragment>Shipped default {current.unverified ? <Unverified /> : null}</Fragment>
  ) : (
    <Fragment>Version {current.version}</Fragment>
  );
}

export function SettingsListPage(props: {
  staff: StaffContext;
  settings: Array<{ entry: SettingsEntry; current: Definition<unknown> }>;
}) {
  return StaffLayout({
    title: 'Clinical settings',
    staff: props.staff,
    path: SETTINGS_PATH,
    children: (
      <Fragment>
        <h1>Clinical settings</h1>
        <p class="lede">
          The lists and limits the clinical pages work by. Each change is saved as a new version with its source and
          recorded in the audit trail; records keep what was in force when they were written.
        </p>
        <p class="hint">
          <Unverified /> marks a value shipped as a suggestion that no published source confirms: review it before use.
        </p>
        <div class="table-scroll" role="region" aria-labelledby="settings-caption" tabindex="0">
          <table class="mailbox settings-table">
            <caption id="settings-caption">Clinical definitions</caption>
            <thead>
              <tr>
                <th scope="col">Definition</th>
                <th scope="col">In force</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {props.settings.map(({ entry, current }) => (
                <tr>
                  <th scope="row">
                    <a href={`${SETTINGS_PATH}/${entry.definition.kind}`}>{entry.definition.label}</a>
                    <span class="protocol-flag">{entry.purpose}</span>
                  </th>
                  <td>
                    <VersionLabel current={current} />
                  </td>
                  <td>{current.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>More clinical settings</h2>
        <ul class="settings-more">
          {OTHER_SETTINGS_PAGES.map((page) => (
            <li>
              <a href={page.href}>{page.label}</a>: {page.purpose}
            </li>
          ))}
        </ul>
      </Fragment>
    ),
  });
}

/** More columns than this and a row no longer fits across a page: each row becomes a card of labelled fields. */
const CARD_AFTER = 5;

type RowsProps = { entry: SettingsEntry; values: Values; errors: Errors; rowCount: number };

/** One cell's control: a tick box, a text area for words, or a text box (a numeric keyboard for figures). */
function Cell(p: { column: SettingsColumn; name: string; values: Values; errors: Errors; label?: string }) {
  const { column: c, name } = p;
  const aria = p.label ? { 'aria-label': p.label } : {};
  if (c.type === 'check')
    return <input type="checkbox" id={name} name={name} value="yes" checked={p.values[name] === 'yes'} {...aria} />;
  if (c.long)
    return (
      <textarea
        id={name}
        name={name}
        rows="4"
        {...aria}
        {...invalid(name, p.errors, c.hint ? `${name}-hint` : undefined)}
      >
        {p.values[name] ?? ''}
      </textarea>
    );
  return (
    <input
      type="text"
      id={name}
      name={name}
      value={p.values[name] ?? ''}
      {...aria}
      {...(c.type === 'number' ? { inputmode: 'decimal' } : {})}
      {...invalid(name, p.errors, !p.label && c.hint ? `${name}-hint` : undefined)}
    />
  );
}

/** A few columns: one row of the table per item, each cell labelled by its column and row for a screen reader. */
function RowTable(p: RowsProps) {
  const { entry } = p;
  return (
    <div class="table-scroll" role="region" aria-labelledby="rows-caption" tabindex="0">
      <table class="mailbox settings-rows">
        <caption id="rows-caption">Items</caption>
        <thead>
          <tr>
            {entry.columns.map((c) => (
              <th scope="col">
                {c.label}
                {c.hint ? <span class="protocol-flag">{c.hint}</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: p.rowCount }, (_, row) => (
            <tr>
              {entry.columns.map((c) => {
                const name = cellName(row, c.key);
                return (
                  <td>
                    <FieldError id={name} message={p.errors[name]} />
                    <Cell
                      column={c}
                      name={name}
                      values={p.values}
                      errors={p.errors}
                      label={`${c.label}, row ${row + 1}`}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Many columns, or one set of figures: each item a group of labelled fields, side by side where they fit. */
function RowCards(p: RowsProps) {
  const { entry } = p;
  return (
    <Fragment>
      {Array.from({ length: p.rowCount }, (_, row) => {
        const first = p.values[cellName(row, entry.columns[0]!.key)] ?? '';
        const legend = entry.single
          ? 'Figures'
          : first.trim() === ''
            ? `New item (row ${row + 1})`
            : `Item ${row + 1}, ${entry.columns[0]!.label}: ${first}`;
        return (
          <fieldset class="settings-card">
            <legend>{legend}</legend>
            {entry.columns.map((c) => {
              const name = cellName(row, c.key);
              return (
                <div class={`field${c.type === 'check' ? ' checkbox' : ''}${c.long ? ' settings-card-wide' : ''}`}>
                  {c.type === 'check' ? <Cell column={c} name={name} values={p.values} errors={p.errors} /> : null}
                  <label for={name}>{c.label}</label>
                  {c.hint ? (
                    <span class="hint" id={`${name}-hint`}>
                      {c.hint}
                    </span>
                  ) : null}
                  <FieldError id={name} message={p.errors[name]} />
                  {c.type === 'check' ? null : <Cell column={c} name={name} values={p.values} errors={p.errors} />}
                </div>
              );
            })}
          </fieldset>
        );
      })}
    </Fragment>
  );
}

export function SettingsEditPage(props: {
  staff: StaffContext;
  detail: SettingsDetail;
  /** The rows to show: the version in force, or what was typed into a refused form. */
  values: Values;
  rowCount: number;
  errors?: Errors;
  saved?: string;
}) {
  const { entry, current, versions } = props.detail;
  const errors = props.errors ?? {};
  const kind = entry.definition.kind;
  return StaffLayout({
    title: `${Object.keys(errors).length > 0 ? 'Error: ' : ''}${entry.definition.label} · Clinical settings`,
    staff: props.staff,
    path: SETTINGS_PATH,
    children: (
      <Fragment>
        <p class="setup-back">
          <a href={SETTINGS_PATH}>← Clinical settings</a>
        </p>
        <h1>{entry.definition.label}</h1>
        <p class="lede">{entry.purpose}</p>
        <Saved message={props.saved} />
        <ErrorSummary errors={errors} />
        <dl class="summary-list">
          <div>
            <dt>In force</dt>
            <dd>
              <VersionLabel current={current} />
            </dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd>{current.source}</dd>
          </div>
        </dl>

        <h2>Edit</h2>
        <form class="form form-wide settings-form" method="post" action={`${SETTINGS_PATH}/${kind}`} novalidate>
          <Csrf token={props.staff.csrfToken} />
          <input type="hidden" name="version" value={String(current.version)} />
          <input type="hidden" name="rows" value={String(props.rowCount)} />
          <FieldError id="version" message={errors.version} />
          <FieldError id="rows" message={errors.rows} />
          {entry.single ? null : (
            <p class="hint">To remove an item, clear its row. The empty rows at the end add new ones.</p>
          )}
          {entry.single || entry.columns.length > CARD_AFTER ? (
            <RowCards entry={entry} values={props.values} errors={errors} rowCount={props.rowCount} />
          ) : (
            <RowTable entry={entry} values={props.values} errors={errors} rowCount={props.rowCount} />
          )}
          <Input
            name="source"
            label="Source"
            hint="Where these values come from: a publication, a label, or a decision of the clinic and by whom"
            values={props.values}
            errors={errors}
          />
          <button class="button" type="submit">
            Save as a new version
          </button>
        </form>

        <h2>Versions</h2>
        {versions.length === 0 ? (
          <p>Only the shipped default so far.</p>
        ) : (
          <ul>
            {versions.map((v) => (
              <li>
                Version {v.version}, {when(v.savedAt)} by {v.savedBy ?? 'the release'}: {v.source}
              </li>
            ))}
          </ul>
        )}
      </Fragment>
    ),
  });
}
