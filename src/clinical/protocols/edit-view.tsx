import { h, Fragment } from '../../kernel/ui/jsx.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Check, ErrorSummary, Input, type Errors, type Values } from '../../kernel/ui/form.tsx';
import type { LibraryProtocol } from './library.ts';
import {
  fieldName,
  ORDER_FIELDS,
  ORDERS_SOURCE,
  orderName,
  removeName,
  SECTIONS,
  type FormField,
} from './protocol-form.ts';

/** One field of the editor: a tick box, or a text box (numeric keyboard for figures). */
function Field(p: { name: string; field: FormField; values: Values; errors: Errors }) {
  const { field } = p;
  if (field.kind === 'check') return <Check name={p.name} label={field.label} values={p.values} />;
  const figure = field.kind === 'number' || field.kind === 'optional-number';
  return (
    <Input
      name={p.name}
      label={field.label}
      values={p.values}
      errors={p.errors}
      {...(field.hint ? { hint: field.hint } : {})}
      {...(figure ? { extra: { inputmode: 'decimal' } } : {})}
    />
  );
}

/**
 * The medical director's editor of a whole protocol: every figure with its source and whether it is confirmed, the
 * other orders with a row to add one and a box to take one out. Saving writes the next version; plans keep theirs.
 */
export function ProtocolEditPage(p: {
  staff: StaffContext;
  protocol: LibraryProtocol;
  values: Values;
  errors: Errors;
  /** The order rows shown: the stored ones and one empty row to add an order. */
  orderRows: number;
}) {
  const { protocol, values, errors } = p;
  const name = protocol.definition.name;
  return StaffLayout({
    title: `Edit ${name}`,
    staff: p.staff,
    path: '/staff/protocols',
    children: (
      <Fragment>
        <p class="breadcrumb">
          <a href="/staff/protocols">Protocols</a> › <a href={`/staff/protocols/${protocol.code}`}>{name}</a>
        </p>
        <h1>Edit {name}</h1>
        <ErrorSummary errors={errors} />
        <p>
          Saving makes version {String(protocol.version + 1)}. Plans already made keep the version they were made from;
          new plans use the new one. Give each part’s source, and leave “not confirmed” ticked for a figure that no
          published source supports.
        </p>
        <form method="post" action={`/staff/protocols/${protocol.code}/edit`} class="form protocol-editor">
          <Csrf token={p.staff.csrfToken} />
          <input type="hidden" name="version" value={String(protocol.version)} />
          <fieldset>
            <legend>The protocol</legend>
            <Input name="name" label="Name" values={values} errors={errors} />
            <Input name="indication" label="For (indication)" values={values} errors={errors} />
          </fieldset>
          {SECTIONS.map((section) => (
            <fieldset>
              <legend>{section.title}</legend>
              {section.fields.map((f) => (
                <Field name={fieldName(section.part, f.key)} field={f} values={values} errors={errors} />
              ))}
            </fieldset>
          ))}
          <fieldset>
            <legend>Other orders</legend>
            <p class="hint">
              Only these may be given during a session, each checked against its numeric limits. Fill in the last row to
              add one.
            </p>
            {Array.from({ length: p.orderRows }, (_, i) => {
              const drug = (values[orderName(i, 'drug')] ?? '').trim();
              return (
                <fieldset class="protocol-editor-order">
                  <legend>{drug === '' ? 'Add an order' : drug}</legend>
                  {ORDER_FIELDS.map((f) => (
                    <Field name={orderName(i, f.key)} field={f} values={values} errors={errors} />
                  ))}
                  {drug === '' ? null : (
                    <Check name={removeName(i)} label={`Take ${drug} out of this protocol`} values={values} />
                  )}
                </fieldset>
              );
            })}
            <Input
              name={fieldName(ORDERS_SOURCE, 'source')}
              label="Source of the other orders"
              values={values}
              errors={errors}
            />
            <Check
              name={fieldName(ORDERS_SOURCE, 'unverified')}
              label="Not confirmed against a published source (shown as Unverified)"
              values={values}
            />
          </fieldset>
          <button class="button" type="submit">
            Save as version {String(protocol.version + 1)}
          </button>
        </form>
      </Fragment>
    ),
  });
}
