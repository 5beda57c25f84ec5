import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { Input, type Errors, type Values } from '../../kernel/ui/form.tsx';
import type { LibraryProtocol } from './library.ts';

export interface LimitsForm {
  values: Values;
  errors: Errors;
}

/** The values the limits form opens with: each order's figures as stored (empty where none are set). */
export function limitsValues(protocol: LibraryProtocol): Values {
  const values: Values = {};
  protocol.definition.extraOrders.forEach((o, i) => {
    values[`dose_${i}`] = o.doseMg === undefined ? '' : String(o.doseMg);
    values[`max_${i}`] = o.maxMgPerSession === undefined ? '' : String(o.maxMgPerSession);
    values[`routes_${i}`] = (o.routes ?? [o.route]).join(', ');
  });
  return values;
}

/** Administrators set the numbers each other order is checked against during a session; saved as a new version. */
export function OrderLimitsForm(p: { staff: StaffContext; protocol: LibraryProtocol; form: LimitsForm }) {
  const orders = p.protocol.definition.extraOrders;
  if (p.staff.role !== 'admin' || orders.length === 0) return null;
  return (
    <form method="post" action={`/staff/protocols/${p.protocol.code}/order-limits`} class="form">
      <h3>Set the limits a nurse’s dose is checked against</h3>
      <p>Saved as version {String(p.protocol.version + 1)}; plans already made keep their version.</p>
      <Csrf token={p.staff.csrfToken} />
      <input type="hidden" name="version" value={String(p.protocol.version)} />
      {orders.map((o, i) => (
        <fieldset>
          <legend>
            {o.drug} {o.dose}
          </legend>
          <Fragment>
            <Input
              name={`dose_${i}`}
              label={`${o.drug}: largest single dose (mg)`}
              values={p.form.values}
              errors={p.form.errors}
              extra={{ inputmode: 'decimal' }}
            />
            <Input
              name={`max_${i}`}
              label={`${o.drug}: most in a session (mg)`}
              values={p.form.values}
              errors={p.form.errors}
              extra={{ inputmode: 'decimal' }}
            />
            <Input
              name={`routes_${i}`}
              label={`${o.drug}: routes`}
              hint="Separated by commas, such as IV, oral"
              values={p.form.values}
              errors={p.form.errors}
            />
          </Fragment>
        </fieldset>
      ))}
      <button class="button" type="submit">
        Save the limits
      </button>
    </form>
  );
}
