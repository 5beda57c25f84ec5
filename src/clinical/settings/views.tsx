import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { ErrorSummary, FieldError, Input, invalid, Saved, type Errors, type Values } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { shortDateTime } from '../../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { Definition } from '../definitions/store.ts';
import { OTHER_SETTINGS_PAGES, type SettingsEntry } from './registry.ts';
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
          <div class="table-scroll" role="region" aria-labelledby="rows-caption" tabindex="0">
            <table class="mailbox settings-rows">
              <caption id="rows-caption">{entry.single ? 'Figures' : 'Items'}</caption>
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
                {Array.from({ length: props.rowCount }, (_, row) => (
                  <tr>
                    {entry.columns.map((c) => {
                      const name = cellName(row, c.key);
                      const label = entry.single ? c.label : `${c.label}, row ${row + 1}`;
                      return (
                        <td>
                          <FieldError id={name} message={errors[name]} />
                          {c.type === 'check' ? (
                            <input
                              type="checkbox"
                              id={name}
                              name={name}
                              value="yes"
                              aria-label={label}
                              checked={props.values[name] === 'yes'}
                            />
                          ) : (
                            <input
                              type="text"
                              id={name}
                              name={name}
                              value={props.values[name] ?? ''}
                              aria-label={label}
                              {...(c.type === 'number' ? { inputmode: 'decimal' } : {})}
                              {...invalid(name, errors)}
                            />
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
