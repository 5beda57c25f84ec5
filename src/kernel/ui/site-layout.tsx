import { h, Fragment, type Child } from './jsx.ts';
import type { Clinic } from '../clinic.ts';
import { logoPath, stylesheetPath } from './brand/brand.ts';
import { assetUrl } from './assets.ts';

export interface LayoutProps {
  title: string;
  description?: string;
  clinic: Clinic;
  /** Path of the current page, to mark the active link. */
  path?: string;
  /** Hide the call-to-action button (on the request form itself). */
  hideCta?: boolean;
  /** An asset script that enhances this page; the page must work without it. */
  script?: string;
  children?: Child;
}

const NAV = [
  { href: '/', label: 'Home' },
  { href: '/crps', label: 'About CRPS' },
  { href: '/ketamine-infusion-therapy', label: 'Ketamine therapy' },
  { href: '/locations', label: 'Locations' },
];

export function Layout(props: LayoutProps) {
  const { clinic, path } = props;
  const title = props.title === clinic.name ? clinic.name : `${props.title} · ${clinic.name}`;
  const logo = logoPath(clinic.brand);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('site.css')} />
        <link rel="stylesheet" href={stylesheetPath(clinic.brand)} />
        {props.script ? <script src={assetUrl(props.script)} defer></script> : null}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="wrap header-inner">
            <a class={logo ? 'brand brand-with-logo' : 'brand'} href="/">
              {/* The logo stands for the name (its alt text), so the name is not written out twice. */}
              {logo ? <img class="brand-logo" src={logo} alt={clinic.name} /> : null}
              <span>
                {logo ? null : clinic.name}
                {clinic.tagline ? <span class="tagline">{clinic.tagline}</span> : null}
              </span>
            </a>
            <nav aria-label="Main">
              <ul class="nav-list">
                {NAV.map((item) => (
                  <li>
                    <a href={item.href} aria-current={path === item.href ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
                {props.hideCta ? null : (
                  <li>
                    <a class="button button-small" href="/consultation">
                      Request a consultation
                    </a>
                  </li>
                )}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" tabindex="-1">
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p class="emergency" role="note">
              <strong>In an emergency, call 911.</strong> If you are thinking about harming yourself, call or text 988
              (Suicide &amp; Crisis Lifeline, US) at any time. This website cannot respond to urgent medical needs.
            </p>
            <p>
              {clinic.name} · <a href={`tel:${clinic.phone.replace(/[^+\d]/g, '')}`}>{clinic.phone}</a> ·{' '}
              <a href="/locations">Our locations</a> · <a href="/consultation">Request a consultation</a>
            </p>
            <p class="fine-print">
              The information on this site is general education, not medical advice. Ketamine is not approved by the FDA
              for treating pain; its use for CRPS is off-label and is decided with a physician.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** Shared call-to-action block that every content page ends with. */
export function RequestCta(props: { reason?: string; location?: string; children?: Child }) {
  const params = new URLSearchParams();
  if (props.reason) params.set('reason', props.reason);
  if (props.location) params.set('location', props.location);
  const query = params.toString();
  return (
    <section class="cta" aria-labelledby="cta-heading">
      <h2 id="cta-heading">Talk with our team</h2>
      {props.children ?? (
        <p>
          A consultation is a conversation with a physician about your pain, your history and whether infusion therapy
          makes sense for you. There is no obligation to start treatment.
        </p>
      )}
      <p>
        <a class="button" href={`/consultation${query ? `?${query}` : ''}`}>
          Request a consultation
        </a>
      </p>
    </section>
  );
}

export { Fragment };
