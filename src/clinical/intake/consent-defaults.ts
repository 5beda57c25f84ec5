/**
 * The three consent documents a clinic starts with, in plain words. An administrator publishes the clinic's own
 * versions (each a new row with its SHA-256); these are only the first versions, written so that a patient can
 * read them in a few minutes. The facts follow ../shared/clinical-facts.md (§1, §5, §6, §8); the wording is ours.
 */
export interface ConsentDefault {
  code: string;
  title: string;
  body: string;
}

export const CONSENT_DEFAULTS: readonly ConsentDefault[] = [
  {
    code: 'ketamine-infusion',
    title: 'Consent to ketamine infusion treatment',
    body: `What this treatment is
Ketamine is a medicine approved in the United States as an anaesthetic. Giving it in low doses by a slow drip into a vein (an infusion) to treat long-lasting pain is "off-label": the Food and Drug Administration has not approved it for that use. Published studies and professional guidelines support trying it for some kinds of chronic pain, in particular Complex Regional Pain Syndrome, but the evidence is limited and the benefit, when there is one, may last weeks rather than months. It does not work for everyone, and we cannot promise that it will work for you.

How it is given
A nurse places a small tube in a vein. The medicine runs in slowly over a few hours while we watch your breathing, heart rate, blood pressure and oxygen level. Your dose depends on your weight and on the treatment plan your provider writes. You stay with us after the infusion until you are steady.

Effects you may notice during or soon after an infusion
- Feeling detached, dreamy or unreal ("dissociation"), changes in sight or hearing, vivid thoughts. These usually fade within an hour or two of the infusion ending.
- A rise in blood pressure and heart rate. We check these throughout and slow or stop the infusion if needed.
- Nausea or vomiting, dizziness, headache, drowsiness, anxiety.

Risks with repeated treatment
- Bladder problems: needing to pass water often or urgently, pain, or blood in the urine. These are reported mostly with frequent or heavy use. Tell us at once if you notice them.
- Liver strain: raised liver tests have been reported after long or repeated infusions. We may check your blood.
- Misuse and dependence: ketamine is a controlled substance (Schedule III) and can be misused. Tolerance, where the same dose does less, can develop.

Your part
- Tell us about every medicine, supplement and drug you take, and about any change in your health.
- Follow the preparation rules we give you: no solid food for 6 hours before, clear liquids only until 2 hours before.
- An adult must take you home. Do not drive, use machinery or make important decisions until the next day.

Your choice
You may ask questions at any time, decline treatment, or stop a course at any time without it affecting your other care with us. By signing you say that you have read this, that you have had the chance to ask questions, and that you agree to be treated.`,
  },
  {
    code: 'controlled-substance',
    title: 'Controlled-substance agreement',
    body: `Ketamine is a controlled substance (Schedule III). Because it can be misused, we ask every patient to agree to the following.

- I will tell the clinic about every medicine I take, including other controlled medicines such as opioids, benzodiazepines or stimulants, and about any past or present use of alcohol or drugs.
- I understand that the clinic may check the state prescription-monitoring database before and during my treatment.
- I will receive ketamine only at the clinic, from its staff. I will not try to obtain it elsewhere for this condition while in treatment.
- I will not drink alcohol or use recreational drugs on the day of an infusion, and I will tell the staff if I have.
- I will tell the clinic about any craving for ketamine, any wish to take more of it, or any use of ketamine outside the clinic.
- I understand that the clinic may pause or stop my treatment if it is no longer safe for me, and that my provider will explain why.`,
  },
  {
    code: 'financial-cancellation',
    title: 'Financial and cancellation policy',
    body: `Payment
The clinic will tell you the cost of each visit before it takes place. Payment is due at the time of each visit unless you have agreed otherwise with us in writing. On request we give you an itemised receipt that you may send to your insurer; whether your insurer pays for this treatment is between you and your insurer.

Cancelling or moving a visit
Treatment sessions hold a chair, a nurse and a provider for several hours. If you need to cancel or move a visit, please tell us at least 24 hours before it starts. A visit cancelled with less notice, or missed, may carry a fee, which we will tell you before you book. If you arrive more than 10 minutes late, we may have to shorten or rebook the session.

Repeated missed visits
If several visits are missed without notice, we may ask you to book one visit at a time.

Questions
Please ask the front desk about anything in this policy before you sign.`,
  },
];
