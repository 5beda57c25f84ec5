import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import { ErrorSummary, Saved, type Errors } from '../kernel/ui/form.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import { StaffLayout } from '../kernel/ui/staff-layout.tsx';

/** The clinical pages of one patient: the summary a clinician reads first, then the pages in the order a patient moves through them. */
export const CLINICAL_TABS = [
  { key: 'summary', label: 'Summary', path: 'summary' },
  { key: 'record', label: 'Clinical record', path: 'clinical' },
  { key: 'intake', label: 'Intake and consent', path: 'intake' },
  { key: 'screening', label: 'Screening', path: 'screening' },
  { key: 'plan', label: 'Treatment plan', path: 'plan' },
  { key: 'orders', label: 'Dose orders', path: 'dose-orders' },
  { key: 'sessions', label: 'Infusion sessions', path: 'sessions' },
  { key: 'questionnaires', label: 'Questionnaires', path: 'questionnaires' },
  { key: 'outcomes', label: 'Outcomes', path: 'outcomes' },
] as const;
export type ClinicalTab = (typeof CLINICAL_TABS)[number]['key'];

export const clinicalHref = (patientId: string, tab: ClinicalTab): string =>
  `/staff/patients/${patientId}/${CLINICAL_TABS.find((t) => t.key === tab)?.path ?? 'clinical'}`;

/**
 * The frame of every clinical page of one patient: the staff layout, the patient's name with a way back to their
 * patient page, the clinical tabs (the current one marked for screen readers), then what the last action left to
 * say: saved, or the form's errors.
 */
export function ClinicalFrame(props: {
  staff: StaffContext;
  patient: { id: string; first_name: string; last_name: string };
  tab: ClinicalTab;
  /** The page's own heading; the tab's label when absent. */
  title?: string;
  saved?: string | undefined;
  errors?: Errors;
  children?: Child;
}) {
  const { patient } = props;
  const name = `${patient.first_name} ${patient.last_name}`;
  const tab = CLINICAL_TABS.find((t) => t.key === props.tab) ?? CLINICAL_TABS[0];
  const heading = props.title ?? tab.label;
  return StaffLayout({
    title: `${heading} · ${name}`,
    staff: props.staff,
    path: '/staff/patients',
    children: (
      <Fragment>
        <p class="setup-back">
          <a href={`/staff/patients/${patient.id}`}>← {name}</a>
        </p>
        <nav class="clinical-tabs" aria-label={`Clinical pages of ${name}`}>
          <ul>
            {CLINICAL_TABS.map((t) => (
              <li>
                <a href={clinicalHref(patient.id, t.key)} aria-current={t.key === props.tab ? 'page' : undefined}>
                  {t.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <h1>
          {heading}
          <span class="clinical-patient"> · {name}</span>
        </h1>
        <Saved message={props.saved} />
        <ErrorSummary errors={props.errors ?? {}} />
        {props.children}
      </Fragment>
    ),
  });
}
