import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { ErrorSummary, FieldError, Input, Saved, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import type { Definition } from '../definitions/store.ts';
import type { Condition, ContraindicationRuleSet, Effect } from './contraindications.ts';
import { factDefinition } from './facts.ts';

export const RULES_PATH = '/staff/clinical-settings/contraindication-rules';

const EFFECT: Record<Effect, string> = {
  hard_stop: 'Hard stop: not eligible, no override',
  overridable: 'Stop a provider may override, with a reason',
  requires_test: 'Test required before the first infusion',
};

function conditionText(when: Condition): string {
  if ('is' in when) return typeof when.is === 'boolean' ? (when.is ? 'is yes' : 'is no') : `is ${when.is}`;
  if ('oneOf' in when) return `is one of ${when.oneOf.join(', ')}`;
  if ('atLeast' in when) return `is at least ${when.atLeast}`;
  if ('above' in when) return `is above ${when.above}`;
  if ('below' in when) return `is below ${when.below}`;
  if ('multipleOfUln' in when) return `is at least ${when.multipleOfUln} × the upper limit of normal`;
  return `includes ${when.includesClass}`;
}

export function RulesPage(p: {
  staff: StaffContext;
  current: Definition<ContraindicationRuleSet>;
  versions: Array<{ version: number; source: string; savedAt: number }>;
  values?: Values;
  errors?: Errors;
  saved?: string;
}) {
  const errors = p.errors ?? {};
  // Stored without an author: the shipped defaults, written when the first screening was signed under them.
  const shipped = p.current.unverified || p.current.savedBy === null;
  const values: Values = p.values ?? {
    rules: JSON.stringify(p.current.body, null, 2),
    source: shipped ? '' : p.current.source,
  };
  // Messages about parts of the JSON (rules.3.when…) are listed under the text box, each with its own anchor.
  const bodyErrors = Object.entries(errors).filter(([k]) => k !== 'source' && k !== 'version' && k !== 'rules');
  const described = [errors.rules ? 'rules-error' : '', ...bodyErrors.map(([k]) => `${k}-error`), 'rules-hint']
    .filter(Boolean)
    .join(' ');
  return StaffLayout({
    title: 'Contraindication rules',
    staff: p.staff,
    path: '/staff/clinical-settings',
    children: (
      <Fragment>
        <h1>Contraindication rules</h1>
        <Saved message={p.saved} />
        <ErrorSummary errors={errors} />
        <p>
          Version {p.current.version}
          {shipped ? ' (the defaults Relief ships, not yet reviewed and saved by the clinic)' : ''}. Every screening is
          evaluated with the version in force and records which version it was signed under.
        </p>
        {shipped ? (
          <p class="notice notice-warning">
            <span class="badge badge-unverified">Unverified</span> These are the shipped defaults. Rules marked
            Unverified are inferred or clinic practice, not confirmed against a published source.
          </p>
        ) : null}
        <p class="protocol-source">Source: {p.current.source}</p>
        <h2>The rules in force</h2>
        <ol class="rules-list">
          {p.current.body.rules.map((r) => (
            <li class={`rules-item rules-${r.effect}`}>
              <h3>
                {r.label} <code>{r.id}</code>
              </h3>
              <dl>
                <div>
                  <dt>Reads</dt>
                  <dd>
                    {factDefinition(r.reads)?.label ?? r.reads}: {conditionText(r.when)}
                  </dd>
                </div>
                <div>
                  <dt>Effect</dt>
                  <dd>
                    {EFFECT[r.effect]}
                    {r.test ? `: ${r.test === 'ecg' ? 'ECG' : 'liver tests'}` : ''}
                  </dd>
                </div>
                <div>
                  <dt>Source</dt>
                  <dd>
                    {r.unverified ? <span class="badge badge-unverified">Unverified</span> : null} {r.source}
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ol>
        <h2>Edit the rules</h2>
        <form method="post" action={RULES_PATH} class="form form-wide" novalidate>
          <Csrf token={p.staff.csrfToken} />
          <input type="hidden" name="version" value={String(p.current.version)} />
          <FieldError id="version" message={errors.version} />
          <div class="field">
            <label for="rules">Rules (JSON)</label>
            <span class="hint" id="rules-hint">
              Each rule has an id, a label, the fact it reads, a condition (when), an effect (hard_stop, overridable or
              requires_test, with the test it requires) and its source. Saving checks every rule against the facts the
              screening collects; nothing is saved until all of them pass.
            </span>
            <FieldError id="rules" message={errors.rules} />
            {bodyErrors.map(([k, m]) => (
              <FieldError id={k} message={m} />
            ))}
            <textarea
              id="rules"
              name="rules"
              rows="24"
              spellcheck="false"
              class="rules-json"
              aria-invalid={errors.rules || bodyErrors.length > 0 ? 'true' : undefined}
              aria-describedby={described}
            >
              {values.rules ?? ''}
            </textarea>
          </div>
          <Input
            name="source"
            label="Source of this version"
            hint="Who decided it and on what basis, e.g. “Medical director, December 2026, after reviewing Cohen 2018”."
            values={values}
            errors={errors}
          />
          <button class="button" type="submit">
            Save a new version
          </button>
        </form>
        {p.versions.length > 0 ? (
          <Fragment>
            <h2>Versions</h2>
            <ul>
              {p.versions.map((v) => (
                <li>
                  Version {v.version}: {v.source}
                </li>
              ))}
            </ul>
          </Fragment>
        ) : null}
      </Fragment>
    ),
  });
}
