/**
 * The GAD-7 (anxiety), shipped as a default definition. Pure data.
 *
 * Developed by Drs Spitzer, Williams, Kroenke and colleagues with an educational grant from Pfizer; no permission is
 * required to reproduce, translate, display or distribute it. The wording below is the standard one.
 */
import { FREQUENCY_OPTIONS } from './phq9.ts';
import { type QuestionnaireDefinition } from './questionnaire.ts';

export const GAD7: QuestionnaireDefinition = {
  id: 'gad7',
  version: 'gad7-2006.1',
  title: 'GAD-7',
  source:
    'Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092–1097. Seven items scored 0–3 (total 0–21); bands 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe.',
  instructions: 'Over the last 2 weeks, how often have you been bothered by the following problems?',
  items: [
    { key: 'q1', text: 'Feeling nervous, anxious, or on edge' },
    { key: 'q2', text: 'Not being able to stop or control worrying' },
    { key: 'q3', text: 'Worrying too much about different things' },
    { key: 'q4', text: 'Trouble relaxing' },
    { key: 'q5', text: "Being so restless that it's hard to sit still" },
    { key: 'q6', text: 'Becoming easily annoyed or irritable' },
    { key: 'q7', text: 'Feeling afraid as if something awful might happen' },
  ],
  options: FREQUENCY_OPTIONS,
  bands: [
    { from: 0, to: 4, label: 'Minimal', severity: 'minimal' },
    { from: 5, to: 9, label: 'Mild', severity: 'mild' },
    { from: 10, to: 14, label: 'Moderate', severity: 'moderate' },
    { from: 15, to: 21, label: 'Severe', severity: 'severe' },
  ],
};
