/**
 * The contraindication rules Relief ships, from ../shared/clinical-facts.md (§1 Cohen 2018, §5 the Spravato label,
 * §6 Noppers 2011, §8 clinic practice), each with its source. An administrator's edited copy replaces them; both are
 * checked by `rulesSchema`. Pure data.
 *
 * Cohen 2018 calls all its contraindications relative; which of them stop hard is this clinic's policy (issue 11),
 * said in each rule's source.
 */
import { type ContraindicationRule, type ContraindicationRuleSet } from './contraindications.ts';

const CLINIC_POLICY = 'a hard stop by this clinic’s policy (issue 11)';
const COHEN =
  'Cohen SP et al., ASRA/AAPM/ASA consensus guidelines on IV ketamine for chronic pain, Reg Anesth Pain Med 2018;43:521–546';
const SPRAVATO = 'Spravato (esketamine) prescribing information: contraindications';
const CLINIC_PRACTICE =
  'Clinic practice: what outpatient ketamine clinics tell patients they turn away (clinical-facts §8), not a published standard';

const rule = (r: ContraindicationRule): ContraindicationRule => r;

export const DEFAULT_RULES: ContraindicationRuleSet = {
  version: 'contraindications-2026.1',
  source:
    'Relief defaults from ../shared/clinical-facts.md (Cohen 2018, the Spravato label, Noppers 2011, clinic practice)',
  rules: [
    // Hard stops.
    rule({
      id: 'ketamine_allergy',
      label: 'Allergy or hypersensitivity to ketamine',
      reads: 'ketamine_allergy',
      when: { is: true },
      effect: 'hard_stop',
      source: `${SPRAVATO} (hypersensitivity)`,
    }),
    rule({
      id: 'active_psychosis',
      label: 'Active psychosis',
      reads: 'active_psychosis',
      when: { is: true },
      effect: 'hard_stop',
      source: `${COHEN}: contraindication, grade B; ${CLINIC_POLICY}`,
    }),
    rule({
      id: 'pregnancy',
      label: 'Pregnant, or pregnancy possible',
      reads: 'pregnant_or_possible',
      when: { is: true },
      effect: 'hard_stop',
      source: `${COHEN}: contraindication, grade B; ${CLINIC_POLICY}`,
    }),
    rule({
      id: 'uncontrolled_hypertension',
      label: 'Uncontrolled high blood pressure',
      reads: 'uncontrolled_hypertension',
      when: { is: true },
      effect: 'hard_stop',
      source: `${COHEN}: poorly controlled cardiovascular disease, grade B; ${CLINIC_POLICY}`,
    }),
    rule({
      id: 'systolic_above_180',
      label: 'Systolic blood pressure above 180 mmHg at screening',
      reads: 'systolic_bp',
      when: { above: 180 },
      effect: 'hard_stop',
      source:
        'Mo H et al., West J Emerg Med 2020;21:272 (an emergency-department protocol: do not give ketamine if systolic pressure is above 180); applied to screening by inference, not from a pain guideline',
      unverified: true,
    }),
    rule({
      id: 'diastolic_above_110',
      label: 'Diastolic blood pressure above 110 mmHg at screening',
      reads: 'diastolic_bp',
      when: { above: 110 },
      effect: 'hard_stop',
      source:
        'Del Sant LC et al., J Psychopharmacol 2020 (treatment-emergent hypertension: systolic above 180 and/or diastolic above 110); applied to screening by inference, not from a pain guideline',
      unverified: true,
    }),
    rule({
      id: 'poorly_controlled_cardiovascular_disease',
      label: 'Poorly controlled cardiovascular disease',
      reads: 'cardiovascular_disease',
      when: { is: 'poorly_controlled' },
      effect: 'hard_stop',
      source: `${COHEN}: ketamine should not be used with poorly controlled cardiovascular disease, grade B; ${CLINIC_POLICY}`,
    }),
    rule({
      id: 'aneurysmal_vascular_disease',
      label: 'Aneurysmal vascular disease',
      reads: 'aneurysmal_vascular_disease',
      when: { is: true },
      effect: 'hard_stop',
      source: SPRAVATO,
    }),
    rule({
      id: 'arteriovenous_malformation',
      label: 'Arteriovenous malformation',
      reads: 'arteriovenous_malformation',
      when: { is: true },
      effect: 'hard_stop',
      source: SPRAVATO,
    }),
    rule({
      id: 'intracerebral_haemorrhage',
      label: 'History of intracerebral haemorrhage',
      reads: 'intracerebral_haemorrhage',
      when: { is: true },
      effect: 'hard_stop',
      source: SPRAVATO,
    }),
    rule({
      id: 'severe_liver_disease',
      label: 'Severe liver disease',
      reads: 'liver_disease',
      when: { is: 'severe' },
      effect: 'hard_stop',
      source: `${COHEN}: avoid in severe hepatic disease, grade C; ${CLINIC_POLICY}`,
    }),
    rule({
      id: 'active_substance_use',
      label: 'Active substance misuse',
      reads: 'substance_use',
      when: { is: 'active' },
      effect: 'hard_stop',
      source: `${COHEN}: no serial infusions in active substance abuse, grade C`,
    }),
    rule({
      id: 'under_18',
      label: 'Under 18',
      reads: 'age',
      when: { below: 18 },
      effect: 'hard_stop',
      source: CLINIC_PRACTICE,
      unverified: true,
    }),
    rule({
      id: 'active_suicidal_ideation',
      label: 'Active suicidal ideation',
      reads: 'active_suicidal_ideation',
      when: { is: true },
      effect: 'hard_stop',
      source: `${CLINIC_PRACTICE}; crisis care comes first`,
      unverified: true,
    }),
    // Stops a provider may override, with a reason.
    rule({
      id: 'controlled_cardiovascular_disease',
      label: 'Controlled cardiovascular disease',
      reads: 'cardiovascular_disease',
      when: { is: 'controlled' },
      effect: 'overridable',
      source: `${COHEN}: cardiovascular disease; overridable by the provider (issue 11)`,
    }),
    rule({
      id: 'moderate_liver_disease',
      label: 'Moderate liver disease',
      reads: 'liver_disease',
      when: { is: 'moderate' },
      effect: 'overridable',
      source: `${COHEN}: use with caution and monitoring in moderate hepatic disease, grade C`,
    }),
    rule({
      id: 'substance_use_history',
      label: 'History of substance misuse',
      reads: 'substance_use',
      when: { is: 'history' },
      effect: 'overridable',
      source: `${COHEN}: universal precautions to watch for misuse, grade C; overridable by the provider (issue 11)`,
    }),
    rule({
      id: 'raised_intraocular_pressure',
      label: 'Raised intraocular pressure',
      reads: 'raised_intraocular_pressure',
      when: { is: true },
      effect: 'overridable',
      source: `${COHEN}: do not use, or only at low dose with extreme caution, grade C`,
    }),
    rule({
      id: 'raised_intracranial_pressure',
      label: 'Raised intracranial pressure',
      reads: 'raised_intracranial_pressure',
      when: { is: true },
      effect: 'overridable',
      source: `${COHEN}: do not use, or only at low dose with extreme caution, grade C`,
    }),
    rule({
      id: 'interstitial_cystitis',
      label: 'Interstitial or ulcerative cystitis',
      reads: 'interstitial_cystitis',
      when: { is: true },
      effect: 'overridable',
      source: 'Spravato (esketamine) prescribing information: warning on ulcerative or interstitial cystitis',
    }),
    rule({
      id: 'seizure_disorder',
      label: 'Epilepsy or seizures',
      reads: 'seizure_disorder',
      when: { is: true },
      effect: 'overridable',
      source: CLINIC_PRACTICE,
      unverified: true,
    }),
    rule({
      id: 'breastfeeding',
      label: 'Breastfeeding',
      reads: 'breastfeeding',
      when: { is: true },
      effect: 'overridable',
      source: CLINIC_PRACTICE,
      unverified: true,
    }),
    rule({
      id: 'mao_inhibitor',
      label: 'Taking an MAO inhibitor',
      reads: 'medication_classes',
      when: { includesClass: 'mao_inhibitor' },
      effect: 'overridable',
      source:
        'Esketamine label, drug interactions (blood pressure may rise with MAO inhibitors), from memory: not in the stored sources',
      unverified: true,
    }),
    rule({
      id: 'ecg_significant_findings',
      label: 'Significant ECG findings',
      reads: 'ecg_findings',
      when: { is: 'significant_findings' },
      effect: 'overridable',
      source: `${COHEN}: the baseline ECG is to rule out poorly controlled ischaemic heart disease; a stop on its findings is inferred`,
      unverified: true,
    }),
    ...(['alt', 'ast', 'alp'] as const).map((lab) =>
      rule({
        id: `${lab}_3x_uln`,
        label: `${lab.toUpperCase()} at least 3 times the upper limit of normal`,
        reads: lab,
        when: { multipleOfUln: 3 },
        effect: 'overridable',
        source:
          'Noppers IM et al., Pain 2011;152:2173–2178 (liver injury defined as enzymes at least 3 times the upper limit of normal); as a screening stop, inferred',
        unverified: true,
      }),
    ),
    // Tests required before the first infusion.
    rule({
      id: 'ecg_for_cardiovascular_disease',
      label: 'ECG for known cardiovascular disease',
      reads: 'cardiovascular_disease',
      when: { oneOf: ['controlled', 'poorly_controlled'] },
      effect: 'requires_test',
      test: 'ecg',
      source: `${COHEN}: baseline ECG for known or high-risk cardiovascular disease`,
    }),
    rule({
      id: 'ecg_for_cardiovascular_risk',
      label: 'ECG for high cardiovascular risk',
      reads: 'high_cardiovascular_risk',
      when: { is: true },
      effect: 'requires_test',
      test: 'ecg',
      source: `${COHEN}: baseline ECG for known or high-risk cardiovascular disease`,
    }),
    rule({
      id: 'liver_tests_for_liver_disease',
      label: 'Liver tests for liver disease',
      reads: 'liver_disease',
      when: { oneOf: ['moderate', 'severe'] },
      effect: 'requires_test',
      test: 'liver_tests',
      source: `${COHEN}: consider baseline and post-infusion liver tests in liver dysfunction`,
    }),
    rule({
      id: 'liver_tests_for_liver_risk',
      label: 'Liver tests for risk of liver toxicity',
      reads: 'liver_toxicity_risk',
      when: { is: true },
      effect: 'requires_test',
      test: 'liver_tests',
      source: `${COHEN}: consider baseline and post-infusion liver tests when at risk of liver toxicity (alcohol misuse, chronic hepatitis)`,
    }),
  ],
};
