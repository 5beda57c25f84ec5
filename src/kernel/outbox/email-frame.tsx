import { h, type Child } from '../ui/jsx.ts';
import { safeAccent } from '../ui/brand/palette.ts';
import type { Clinic, Location } from '../clinic.ts';

/**
 * Email markup: inline styles only (mail clients drop style sheets; emails are not under the site's CSP), one
 * column, readable without images. The clinic's accent colours the header and buttons; its logo, when set, is
 * fetched from PUBLIC_URL, and its alt text is the clinic name for clients that block images.
 */
export function EmailLayout(props: {
  clinic: Clinic;
  preheader: string;
  reason: string;
  logoUrl?: string | undefined;
  children?: Child;
}) {
  const accent = safeAccent(props.clinic.brand.accent);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.clinic.name}</title>
      </head>
      <body style="margin:0;padding:0;background:#f3f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">
        <div style="display:none;max-height:0;overflow:hidden;">{props.preheader}</div>
        <div style="max-width:560px;margin:0 auto;padding:24px 16px;">
          {props.logoUrl ? (
            <div style="padding:0 0 12px 0;">
              <img
                src={props.logoUrl}
                alt={props.clinic.name}
                height="48"
                style="display:block;height:48px;width:auto;max-width:240px;border:0;"
              />
            </div>
          ) : null}
          <div
            style={`background:${accent};color:#ffffff;padding:16px 20px;border-radius:8px 8px 0 0;font-size:20px;font-weight:bold;`}
          >
            {props.clinic.name}
          </div>
          <div style="background:#ffffff;padding:24px 20px;border-radius:0 0 8px 8px;font-size:16px;line-height:1.5;">
            {props.children}
          </div>
          <p style="font-size:13px;color:#52606d;line-height:1.5;margin-top:16px;">
            {props.clinic.name} · {props.clinic.phone}
            <br />
            {props.reason} In an emergency call 911; for a mental health crisis call or text 988.
          </p>
        </div>
      </body>
    </html>
  );
}

/** A link styled as a button in the clinic's accent (white text on it passes AA: checked when the colour is saved). */
export function EmailButton(props: { href: string; accent: string; children?: Child }) {
  return (
    <p style="margin:24px 0;">
      <a
        href={props.href}
        style={`background:${safeAccent(props.accent)};color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;display:inline-block;font-weight:bold;`}
      >
        {props.children}
      </a>
    </p>
  );
}

export function VisitDetails(props: { when: string; location: Location }) {
  const l = props.location;
  return (
    <table role="presentation" style="border-collapse:collapse;margin:16px 0;">
      <tr>
        <td style="padding:4px 12px 4px 0;color:#52606d;vertical-align:top;">When</td>
        <td style="padding:4px 0;font-weight:bold;">{props.when}</td>
      </tr>
      <tr>
        <td style="padding:4px 12px 4px 0;color:#52606d;vertical-align:top;">Where</td>
        <td style="padding:4px 0;">
          {l.name}
          <br />
          {l.address_line}, {l.city}, {l.region} {l.postal_code}
        </td>
      </tr>
      <tr>
        <td style="padding:4px 12px 4px 0;color:#52606d;vertical-align:top;">Phone</td>
        <td style="padding:4px 0;">{l.phone}</td>
      </tr>
    </table>
  );
}
