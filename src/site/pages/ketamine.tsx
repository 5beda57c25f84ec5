import { h } from '../../kernel/ui/jsx.ts';
import type { Clinic } from '../../kernel/clinic.ts';
import { Layout, RequestCta } from '../../kernel/ui/site-layout.tsx';

const SECTIONS = [
  { id: 'how-it-works', label: 'How ketamine acts on pain' },
  { id: 'session', label: 'What a session is like' },
  { id: 'course', label: 'The initial series and maintenance' },
  { id: 'monitoring', label: 'How we monitor you' },
  { id: 'side-effects', label: 'Common side effects' },
  { id: 'candidates', label: 'Who may not be a candidate' },
  { id: 'risks', label: 'Risks of repeated infusions' },
  { id: 'evidence', label: 'What the evidence says' },
];

export function KetaminePage(props: { clinic: Clinic }) {
  const { clinic } = props;
  return (
    <Layout
      title="Ketamine infusion therapy"
      path="/ketamine-infusion-therapy"
      clinic={clinic}
      description="How ketamine infusions act on pain, what a session is like, monitoring, side effects, who may not be a candidate, risks and what the evidence says."
    >
      <div class="wrap">
        <h1>Ketamine infusion therapy</h1>
        <p class="lead">
          Ketamine is an anesthetic medicine. Given slowly into a vein at doses below those used for anesthesia, it may
          ease pain for a period of weeks for some people with CRPS. This page explains how it works, what to expect,
          and the risks.
        </p>

        <nav class="toc" aria-labelledby="toc-heading">
          <h2 id="toc-heading">On this page</h2>
          <ul>
            {SECTIONS.map((s) => (
              <li>
                <a href={`#${s.id}`}>{s.label}</a>
              </li>
            ))}
          </ul>
        </nav>

        <section aria-labelledby="how-it-works">
          <h2 id="how-it-works">How ketamine acts on pain</h2>
          <p>
            Pain signals travel through nerve cells in the spinal cord and brain. In CRPS and some other long-lasting
            pain, these cells can become over-responsive, a process called central sensitization. Ordinary signals get
            amplified, and pain keeps going after the original cause has healed.
          </p>
          <p>
            One of the switches involved in this amplification is a receptor on nerve cells called the NMDA receptor.
            Ketamine blocks it. The aim of an infusion is to quiet this over-responsive system for long enough that, for
            some people, pain eases for a while after the infusion itself has ended. The effect usually fades over time.
          </p>
        </section>

        <section aria-labelledby="session">
          <h2 id="session">What a session is like</h2>
          <ul>
            <li>
              <strong>Before you start.</strong> We check your blood pressure, heart rate and oxygen level, ask how you
              are, and tell you in advance whether to avoid food or drink beforehand.
            </li>
            <li>
              <strong>The drip.</strong> A nurse places a thin tube (an IV line) in a vein in your hand or arm. A pump
              then delivers the medicine slowly and steadily.
            </li>
            <li>
              <strong>Time in the chair.</strong> You rest in a reclining chair for several hours. In the one outpatient
              CRPS trial each infusion lasted four hours, with extra time before and after for checks; other studies
              gave ketamine continuously for several days in hospital.
            </li>
            <li>
              <strong>How it can feel.</strong> Ketamine often causes dissociation: a dreamy or floating feeling,
              sensing that you are detached from your body or surroundings, or sounds, colors and time seeming
              different. These effects are expected, and in one CRPS study most people on ketamine noticed them. Some
              people find them pleasant, others unsettling. Tell the team how you feel; the dose can be adjusted and
              someone is always nearby.
            </li>
            <li>
              <strong>Going home.</strong> You stay until your checks show you are alert and steady. An adult must take
              you home, and you must not drive until the next day. Plan a quiet rest of the day.
            </li>
          </ul>
        </section>

        <section aria-labelledby="course">
          <h2 id="course">The initial series and maintenance infusions</h2>
          <p>
            Treatment usually begins with an <strong>initial series</strong>: several infusions close together. In one
            CRPS trial, for example, people had four-hour infusions on ten days. Your physician will propose a schedule
            suited to you and explain why.
          </p>
          <p>
            We follow your progress with pain scores and questions about sleep, mood and daily activities. Pain
            researchers generally regard a drop of about 30% or more as a moderately important improvement, though what
            matters most is whether your life feels easier.
          </p>
          <p>
            If the series helps and the relief later fades, some people have occasional further infusions, often called{' '}
            <strong>maintenance</strong> or booster infusions. Little has been published on how well booster infusions
            work; the 2018 guidelines suggest that ketamine or a related medicine taken by mouth or as a nasal spray may
            be tried instead of repeated infusions. Repeat treatment is never automatic: each time, your physician
            weighs the benefit you had against the risks of repeated use described below.
          </p>
        </section>

        <section aria-labelledby="monitoring">
          <h2 id="monitoring">How we monitor you</h2>
          <p>Throughout each infusion, and afterwards until you are ready to leave, we keep track of:</p>
          <ul>
            <li>your blood pressure, which commonly rises during an infusion;</li>
            <li>your heart rate, and for some people a continuous heart tracing (ECG);</li>
            <li>your oxygen level, using a small clip on your finger, and your breathing;</li>
            <li>how alert you are and how you feel, including pain, nausea and any distressing sensations.</li>
          </ul>
          <p>
            Checks are most frequent early in the infusion. If a reading goes outside the safe range your physician has
            set, the team can slow or stop the infusion and look after you until it settles.
          </p>
        </section>

        <section aria-labelledby="side-effects">
          <h2 id="side-effects">Common side effects</h2>
          <ul>
            <li>Feeling dreamy, detached or unreal (dissociation), or seeing and hearing things differently.</li>
            <li>Drowsiness.</li>
            <li>A rise in blood pressure and heart rate.</li>
            <li>Nausea, and sometimes vomiting.</li>
          </ul>
          <p>
            These usually settle in the hours after an infusion ends. If something does not settle, or worries you once
            you are home, call us at <a href={`tel:${clinic.phone.replace(/[^+\d]/g, '')}`}>{clinic.phone}</a>, or call
            911 in an emergency.
          </p>
        </section>

        <section aria-labelledby="candidates">
          <h2 id="candidates">Who may not be a candidate</h2>
          <p>
            Ketamine infusions are not safe for everyone. They may not be suitable, or may need extra tests and
            precautions, if you:
          </p>
          <ul>
            <li>have heart disease or high blood pressure that is not well controlled;</li>
            <li>are pregnant;</li>
            <li>have active psychosis;</li>
            <li>
              have liver disease (severe liver disease rules infusions out; milder liver disease needs extra blood
              tests);
            </li>
            <li>have raised pressure inside the skull or inside the eye;</li>
            <li>are actively misusing drugs or alcohol;</li>
            <li>have a bladder condition such as interstitial cystitis;</li>
            <li>have ever had an allergic reaction to ketamine;</li>
            <li>have ever had an aneurysm, an arteriovenous malformation (AVM) or bleeding in the brain.</li>
          </ul>
          <p>
            Your physician goes through your history, medicines and any earlier substance use with you. Please be open
            with us: we ask to keep you safe, not to judge. Some people need a heart tracing (ECG) or liver blood tests
            before a decision can be made.
          </p>
        </section>

        <section aria-labelledby="risks">
          <h2 id="risks">Risks of repeated infusions</h2>
          <dl class="terms">
            <div>
              <dt>Misuse and dependence</dt>
              <dd>
                Ketamine is a controlled substance (Schedule III in the US) because it can be misused and can lead to
                psychological and physical dependence. We keep careful records, watch for warning signs, and do not give
                repeated infusions to people who are actively misusing substances.
              </dd>
            </div>
            <div>
              <dt>Tolerance</dt>
              <dd>
                Over time the same dose may do less. We track the dose at each visit so that any creeping increase is
                noticed and discussed rather than simply accepted.
              </dd>
            </div>
            <div>
              <dt>Bladder problems</dt>
              <dd>
                Regular ketamine use can inflame the bladder, and if use goes on, the damage can reach the kidneys.
                Warning signs are needing to pass urine often or urgently, pain when passing urine, bladder pain, or
                blood in the urine. Tell us straight away if you notice any of these; stopping ketamine is the first
                step in treatment.
              </dd>
            </div>
            <div>
              <dt>Liver problems</dt>
              <dd>
                Long or frequent infusions at higher doses have been linked to liver injury. In one small study of
                people with CRPS given two infusions lasting several days each, half developed signs of liver injury. If
                you are at higher risk, or will have frequent infusions, we may check liver blood tests before and after
                treatment.
              </dd>
            </div>
          </dl>
        </section>

        <section aria-labelledby="evidence">
          <h2 id="evidence">What the evidence says</h2>
          <p>
            In 2018, three US specialist societies (the American Society of Regional Anesthesia and Pain Medicine, the
            American Academy of Pain Medicine and the American Society of Anesthesiologists) published joint consensus
            guidelines on intravenous ketamine for long-lasting pain. They found:
          </p>
          <ul>
            <li>
              <strong>CRPS:</strong> moderate evidence that ketamine infusions improve pain, with relief lasting up to
              about 12 weeks. In the largest controlled trial, relief was greatest in the first week, was no longer
              clearly better than placebo by week 12, and daily function did not improve.
            </li>
            <li>
              <strong>Pain after spinal cord injury:</strong> weak evidence of short-term benefit.
            </li>
            <li>
              <strong>Other conditions the guidelines looked at</strong> (other nerve pain, fibromyalgia, headache, back
              and neck pain, pain from poor blood flow, and cancer pain): weak evidence, or none.
            </li>
          </ul>
          <p>
            Not everyone responds, and for those who do, relief tends to wear off over weeks to months. Higher doses and
            longer or more frequent infusions appeared to work better in studies, but they also carry more risk.
          </p>
          <p>
            Ketamine is not approved by the FDA for treating pain. Using it for CRPS or other pain is{' '}
            <strong>off-label</strong>. That means the decision rests on your physician's judgment and on your informed
            consent, not on an approved use.
          </p>
        </section>

        <RequestCta>
          <p>
            If you would like to find out whether infusion therapy could be appropriate for you, a consultation with one
            of our physicians is the first step. You can ask every question you have, and there is no obligation to
            start treatment.
          </p>
        </RequestCta>
      </div>
    </Layout>
  );
}
