import { h } from '../../kernel/ui/jsx.ts';
import type { Clinic } from '../../kernel/clinic.ts';
import { Layout, RequestCta } from '../../kernel/ui/site-layout.tsx';

const CATEGORIES = [
  {
    name: 'Sensory',
    text: 'Being more sensitive than normal. Things that should not hurt, such as light touch, warmth or cold, firm pressure or moving a joint, are painful, and painful things hurt more than expected.',
  },
  {
    name: 'Vasomotor (blood flow)',
    text: 'A difference in skin temperature between the affected limb and the other side, or a change or difference in skin color.',
  },
  {
    name: 'Sudomotor and swelling',
    text: 'Swelling of the affected area, or sweating that has changed or differs from the other side.',
  },
  {
    name: 'Motor and trophic',
    text: 'Stiffness or reduced movement; weakness, tremor or muscle spasms that hold the limb in an unusual position (dystonia); or changes in how hair, nails or skin grow.',
  },
];

export function CrpsPage(props: { clinic: Clinic }) {
  const { clinic } = props;
  return (
    <Layout
      title="About CRPS"
      path="/crps"
      clinic={clinic}
      description="What complex regional pain syndrome is, its symptoms, how it is diagnosed with the Budapest criteria, and how it can affect mood and sleep."
    >
      <div class="wrap">
        <h1>Complex regional pain syndrome (CRPS)</h1>
        <p class="lead">
          CRPS is a long-lasting pain condition in which the pain is far stronger, and lasts far longer, than the injury
          or event that set it off would explain. It most often affects one arm or leg.
        </p>

        <nav class="toc" aria-labelledby="toc-heading">
          <h2 id="toc-heading">On this page</h2>
          <ul>
            <li>
              <a href="#what">What CRPS is</a>
            </li>
            <li>
              <a href="#symptoms">Symptoms</a>
            </li>
            <li>
              <a href="#diagnosis">How it is diagnosed</a>
            </li>
            <li>
              <a href="#hard-to-treat">Why it can be hard to treat</a>
            </li>
            <li>
              <a href="#mood-sleep">Effects on mood and sleep</a>
            </li>
            <li>
              <a href="#infusions">Where infusions fit</a>
            </li>
          </ul>
        </nav>

        <section aria-labelledby="what">
          <h2 id="what">What CRPS is</h2>
          <p>
            CRPS often begins after an injury such as a fracture, a sprain or an operation, and sometimes after an
            injury that seemed minor. Instead of settling as the tissues heal, the pain carries on. It is real pain, not
            imagined, and it is not a sign that you are coping badly.
          </p>
          <p>
            As well as pain, CRPS can change how the affected limb looks and works: its temperature, color, sweating,
            swelling, strength and movement. These changes come from the nervous system, which in CRPS keeps producing
            and amplifying pain signals long after the original injury.
          </p>
        </section>

        <section aria-labelledby="symptoms">
          <h2 id="symptoms">Symptoms</h2>
          <p>People with CRPS describe some, but rarely all, of the following:</p>
          <ul>
            <li>Constant, severe pain that is out of proportion to what happened.</li>
            <li>
              Pain from things that should not hurt, such as clothing, a light touch, a breeze or a change in
              temperature.
            </li>
            <li>
              The affected limb feeling warmer or colder than the other side, or looking red, pale, blue or blotchy.
            </li>
            <li>Swelling, or more or less sweating than on the other side.</li>
            <li>Stiff joints, weakness, shaking, or muscles that cramp or twist into awkward positions.</li>
            <li>Changes in the hair, nails or skin of the affected area.</li>
            <li>Poor sleep, tiredness, low mood or worry, which often come with living in constant pain.</li>
          </ul>
          <p>
            Symptoms can change over time and differ a great deal from one person to another. If you notice new or
            worsening symptoms, let your own doctor know.
          </p>
        </section>

        <section aria-labelledby="diagnosis">
          <h2 id="diagnosis">How CRPS is diagnosed</h2>
          <p>
            There is no single test that proves CRPS. Doctors diagnose it from your history and a careful examination,
            using an agreed set of rules called the Budapest criteria, published in 2010. The criteria separate{' '}
            <strong>symptoms</strong>, which are what you notice and report, from <strong>signs</strong>, which are what
            the doctor can see or measure during the examination.
          </p>

          <h3>The four conditions</h3>
          <p>For a diagnosis of CRPS, all four of these must be true:</p>
          <ol>
            <li>You have continuing pain that is out of proportion to the injury or event that started it.</li>
            <li>You report at least one symptom in at least three of the four categories below.</li>
            <li>
              When you are examined, the doctor finds at least one sign in at least two of the categories. A sign only
              counts if it is present at the time of the examination.
            </li>
            <li>No other condition explains your pain, symptoms and signs better.</li>
          </ol>

          <h3>The four categories</h3>
          <dl class="terms">
            {CATEGORIES.map((category) => (
              <div>
                <dt>{category.name}</dt>
                <dd>{category.text}</dd>
              </div>
            ))}
          </dl>
          <p>
            A stricter version, which needs symptoms in all four categories, is used to select people for research
            studies. The last condition matters because several other problems can look similar and need quite different
            treatment, so part of a good assessment is ruling them out.
          </p>
        </section>

        <section aria-labelledby="hard-to-treat">
          <h2 id="hard-to-treat">Why CRPS can be hard to treat</h2>
          <p>
            In CRPS the pain system itself has become over-responsive. Nerve cells in the spinal cord and brain turn up
            the volume on incoming signals, a process called central sensitization, so that pain continues even after
            the original injury has healed.
          </p>
          <p>
            Because of this, medicines and treatments aimed at the site of an injury or at inflammation may help less
            than expected. Most people need several approaches working together, usually arranged with their own doctors
            and therapists, and progress can be slow. That is not a personal failure; it reflects how stubborn this
            condition can be.
          </p>
        </section>

        <section aria-labelledby="mood-sleep">
          <h2 id="mood-sleep">Effects on mood and sleep</h2>
          <p>
            Pain that does not let up can make it hard to fall asleep and stay asleep, and poor sleep can in turn make
            pain harder to bear. Over time, living with CRPS can affect work, relationships and the things you enjoy,
            and it can leave people feeling low, anxious, irritable or alone.
          </p>
          <p>
            These are understandable responses to a hard situation. They do not mean the pain is in your head. At your
            consultation we ask about sleep, mood and daily life using short questionnaires, because they matter for
            your wellbeing and for deciding safely whether infusions are right for you.
          </p>
          <p class="notice notice-warning">
            <strong>If you are thinking about harming yourself,</strong> call or text 988 (Suicide &amp; Crisis
            Lifeline, US) now, or call 911 in an emergency. This website cannot respond to urgent needs.
          </p>
        </section>

        <section aria-labelledby="infusions">
          <h2 id="infusions">Where ketamine infusions fit</h2>
          <p>
            Ketamine infusions are one of the options for CRPS pain that has not responded to other treatment. Published
            consensus guidelines found moderate evidence that they can reduce CRPS pain for up to about 12 weeks. They
            do not help everyone, they are not a cure, and they carry risks that need to be weighed carefully.
          </p>
          <p>
            <a href="/ketamine-infusion-therapy">
              Read how ketamine infusion therapy works, what a session is like and who may not be a candidate
            </a>
          </p>
        </section>

        <RequestCta reason="crps">
          <p>
            If you have CRPS, or think you might, a consultation is a chance to go through your history with a physician
            and find out whether infusion therapy could be a reasonable next step. There is no obligation to start
            treatment.
          </p>
        </RequestCta>
      </div>
    </Layout>
  );
}
