import { h } from '../../kernel/ui/jsx.ts';
import type { Clinic, LocationWithHours } from '../../kernel/clinic.ts';
import { Layout, RequestCta } from '../../kernel/ui/site-layout.tsx';

function telHref(phone: string): string {
  return `tel:${phone.replace(/[^+\d]/g, '')}`;
}

export function HomePage(props: { clinic: Clinic; locations: LocationWithHours[] }) {
  const { clinic, locations } = props;
  return (
    <Layout
      title={clinic.name}
      path="/"
      clinic={clinic}
      description={`${clinic.name} is a physician-led clinic offering consultations and, where appropriate, ketamine infusion therapy for CRPS and other long-lasting pain.`}
    >
      <section class="hero" aria-labelledby="hero-heading">
        <div class="wrap">
          <h1 id="hero-heading">Care for complex regional pain syndrome and other long-lasting pain</h1>
          <p class="lead">
            {clinic.name} is a physician-led clinic for people whose pain has continued despite the usual treatments. We
            offer careful assessment and, when it is safe and reasonable, ketamine infusion therapy given under close
            monitoring.
          </p>
          <p>
            Every course of care starts with a consultation. A physician listens to your history, explains what
            infusions may and may not do, and tells you plainly whether we think they are a sensible option for you.
          </p>
          <div class="actions">
            <a class="button" href="/consultation">
              Request a consultation
            </a>
            <a class="button button-secondary" href="#how-it-works">
              How it works
            </a>
          </div>
        </div>
      </section>

      <div class="wrap">
        <section class="section" aria-labelledby="help-heading">
          <h2 id="help-heading">Who we help and what we offer</h2>
          <ul class="cards">
            <li class="card">
              <h3>Complex regional pain syndrome</h3>
              <p>
                CRPS is ongoing pain, usually in an arm or a leg, that is far stronger than the injury that started it.
                It can also change skin temperature, color, sweating and movement.
              </p>
              <p class="card-link">
                <a href="/crps">Learn about CRPS and how it is diagnosed</a>
              </p>
            </li>
            <li class="card">
              <h3>Ketamine infusion therapy</h3>
              <p>
                A slow infusion into a vein, given over several hours while our team watches your blood pressure, heart
                rate and oxygen level. For some people with CRPS it may ease pain for a period of weeks.
              </p>
              <p class="card-link">
                <a href="/ketamine-infusion-therapy">Read about infusion therapy, its risks and the evidence</a>
              </p>
            </li>
            <li class="card">
              <h3>Other hard-to-treat pain</h3>
              <p>
                We also see people with other long-lasting nerve or widespread pain. The evidence for infusions in these
                conditions is weaker than for CRPS, and we talk that through openly before any decision.
              </p>
              <p class="card-link">
                <a href="/ketamine-infusion-therapy#evidence">What the evidence says</a>
              </p>
            </li>
          </ul>
        </section>

        <section class="section" aria-labelledby="expect-heading">
          <h2 id="expect-heading">A realistic picture</h2>
          <p>
            Ketamine infusions are not a cure for CRPS, and they do not help everyone. In studies of people with CRPS,
            the relief that did come tended to fade over the following weeks, lasting up to about 12 weeks. Ketamine is
            not approved by the FDA for treating pain, so using it this way is off-label.
          </p>
          <p>
            Infusions are usually one part of a wider plan that you keep working on with your own doctors and
            therapists. We would rather tell you honestly that they are unlikely to help than offer a treatment that is
            not right for you.
          </p>
        </section>

        <section class="section" id="how-it-works" aria-labelledby="how-heading">
          <h2 id="how-heading">How it works</h2>
          <ol class="steps">
            <li>
              <h3>Request a consultation</h3>
              <p>
                Fill in a short online form with your contact details and a few words about your pain. It takes a few
                minutes and does not commit you to anything.
              </p>
            </li>
            <li>
              <h3>Check your email</h3>
              <p>
                We send you an email with a personal booking link, so you can choose a consultation time at the location
                that suits you.
              </p>
            </li>
            <li>
              <h3>Meet a physician</h3>
              <p>
                You talk through your pain, what you have already tried, your other health conditions and medicines, and
                what you hope to change. Bring any records or test results you have.
              </p>
            </li>
            <li>
              <h3>Eligibility screening</h3>
              <p>
                We check whether infusions would be safe for you, including your heart, blood pressure, liver, mental
                health and any history of substance use. Some people need a heart tracing (ECG) or blood tests first.
              </p>
            </li>
            <li>
              <h3>An infusion plan, if it is appropriate</h3>
              <p>
                If infusions look reasonable, your physician explains the proposed plan, the possible benefits and the
                risks, so that you can decide. If they are not a good fit, we explain why.
              </p>
            </li>
          </ol>
        </section>

        {locations.length > 0 ? (
          <section class="section" aria-labelledby="locations-heading">
            <h2 id="locations-heading">Our locations</h2>
            <ul class="location-list">
              {locations.map((location) => (
                <li class="card">
                  <h3>
                    <a href={`/locations#${encodeURIComponent(location.slug)}`}>{location.name}</a>
                  </h3>
                  <p>
                    {location.city}, {location.region}
                    <br />
                    Phone: <a href={telHref(location.phone)}>{location.phone}</a>
                  </p>
                </li>
              ))}
            </ul>
            <p>
              <a href="/locations">Addresses, opening hours and directions for every location</a>
            </p>
          </section>
        ) : null}

        <RequestCta>
          <p>
            Tell us a little about your pain and we will email you a link to book a consultation with a physician. There
            is no obligation to start treatment. If you prefer, call us at{' '}
            <a href={telHref(clinic.phone)}>{clinic.phone}</a>.
          </p>
        </RequestCta>
      </div>
    </Layout>
  );
}
