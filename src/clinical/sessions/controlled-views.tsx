import { h } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatTime } from '../../kernel/time/format.ts';
import { FieldError, Input, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import type { BagFigures } from './controlled-balance.ts';
import type { ControlledPart } from './controlled-part.ts';

/** mg as the record keeps them: to 0.01 mg, without trailing zeros. */
export const mgText = (mg: number) => `${String(Number(mg.toFixed(2)))} mg`;

export const CONTROLLED_SAVED: Record<string, string> = {
  waste: 'The waste is recorded, with its witness.',
};

const STATUS_TEXT = {
  no_drug: 'No bag drawn: nothing to account for.',
  infusing: 'Infusing: what is given is final once the infusion stops.',
  balanced: 'Balanced: every mg dispensed is given or wasted.',
  unbalanced: 'Not balanced yet: record what is wasted. The session cannot be discharged until it balances.',
} as const;

/**
 * The session page's controlled-substance part: each bag dispensed = given + wasted, its waste entries, and the
 * waste form with its witness while drug is left to account for.
 */
export function ControlledSection(props: {
  staff: StaffContext;
  action: string;
  version: number;
  zone: string;
  part: ControlledPart;
  values?: Values;
  errors?: Errors;
}) {
  const { drug, names, closedReason } = props.part;
  const name = (id: string) => names.get(id) ?? 'Unknown';
  return (
    <section class="controlled-part" aria-labelledby="controlled-heading">
      <h2 id="controlled-heading">Controlled substance</h2>
      <p class={drug.status === 'unbalanced' ? 'notice notice-warning' : 'controlled-status'}>
        {STATUS_TEXT[drug.status]}
      </p>
      {drug.bags.length > 0 ? (
        <div class="table-scroll" role="region" aria-labelledby="controlled-caption" tabindex="0">
          <table class="mailbox controlled-table">
            <caption id="controlled-caption">Ketamine by bag: dispensed = given + wasted</caption>
            <thead>
              <tr>
                <th scope="col">Lot</th>
                <th scope="col">Dispensed</th>
                <th scope="col">Given</th>
                <th scope="col">Wasted</th>
                <th scope="col">Left</th>
                <th scope="col">Drawn by</th>
              </tr>
            </thead>
            <tbody>
              {drug.bags.map((f) => (
                <tr>
                  <th scope="row">{f.bag.lot}</th>
                  <td>{mgText(f.dispensedMg)}</td>
                  <td>{mgText(f.givenMg)}</td>
                  <td>
                    {mgText(f.wastedMg)}
                    {f.waste.map((w) => (
                      <span class="controlled-waste-entry">
                        {mgText(w.mg)} at {formatTime(w.at, props.zone)} by {name(w.wastedBy)}, witnessed by{' '}
                        {name(w.witnessedBy)}
                      </span>
                    ))}
                  </td>
                  <td>{mgText(f.leftMg)}</td>
                  <td>
                    {name(f.bag.drawnBy)}
                    <span class="controlled-waste-entry">witnessed by {name(f.bag.witnessedBy)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {closedReason === null ? (
        drug.bags
          .filter((f) => f.leftMg > 0)
          .map((f) => <WasteForm {...props} bag={f} single={drug.bags.length === 1} />)
      ) : drug.status !== 'no_drug' && drug.leftMg > 0 ? (
        <p>{closedReason}</p>
      ) : null}
    </section>
  );
}

function WasteForm(props: {
  staff: StaffContext;
  action: string;
  version: number;
  part: ControlledPart;
  bag: BagFigures;
  single: boolean;
  values?: Values;
  errors?: Errors;
}) {
  const { bag } = props;
  // A refused form shows what was typed and its messages on the bag it was for; the others show their defaults.
  const mine = props.values?.bag === bag.bag.id;
  const errors = mine ? (props.errors ?? {}) : {};
  const values: Values = mine
    ? (props.values ?? {})
    : { waste_mg: String(Number(bag.leftMg.toFixed(2))), witness: '', witness_code: '' };
  const witnesses = props.part.witnesses;
  return (
    <form method="post" action={props.action} class="dose-form waste-form">
      <Csrf token={props.staff.csrfToken} />
      <input type="hidden" name="version" value={String(props.version)} />
      <input type="hidden" name="bag" value={bag.bag.id} />
      <h3>{props.single ? 'Record the waste' : `Record the waste of lot ${bag.bag.lot}`}</h3>
      <p>
        {mgText(bag.leftMg)} is left to account for. Waste it in front of a second nurse or provider, who then types the
        code their authenticator app shows now.
      </p>
      <Input
        name="waste_mg"
        label="Wasted (mg)"
        values={values}
        errors={errors}
        hint={`At most ${mgText(bag.leftMg)}`}
        extra={{ inputmode: 'decimal', autocomplete: 'off' }}
      />
      <div class="field">
        <label for="witness">Witness</label>
        <FieldError id="witness" message={errors.witness} />
        <select id="witness" name="witness" {...invalid('witness', errors)}>
          <option value="" selected={(values.witness ?? '') === ''}>
            Choose who witnesses
          </option>
          {witnesses.map((w) => (
            <option value={w.id} selected={values.witness === w.id}>
              {w.name} ({w.role === 'provider' ? 'provider' : 'nurse'})
            </option>
          ))}
        </select>
      </div>
      <Input
        name="witness_code"
        label="Witness’s authenticator code"
        values={{ ...values, witness_code: '' }}
        errors={errors}
        hint="6 digits, typed by the witness"
        extra={{ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }}
      />
      <button class="button" type="submit">
        Record the waste
      </button>
    </form>
  );
}
