import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import { assetUrl } from '../kernel/ui/assets.ts';

/** A plain frame for the sign-in steps (no navigation: the person is not signed in yet). */
export function AuthLayout(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Relief staff`}</title>
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('site.css')} />
      </head>
      <body class="staff">
        <header class="site-header">
          <div class="wrap header-inner">
            <span class="brand">Relief staff</span>
          </div>
        </header>
        <main id="main" class="wrap narrow">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function FormError(props: { message?: string }) {
  return props.message ? (
    <div class="error-summary" role="alert" tabindex="-1" autofocus id="form-error">
      <p>{props.message}</p>
    </div>
  ) : (
    <Fragment />
  );
}

/** A one-field form's input, tied to the form's error when there is one (so it is read out with the field). */
function invalidWhen(error: string | undefined, hintId?: string) {
  const describedBy = [error ? 'form-error' : undefined, hintId].filter(Boolean).join(' ');
  return { 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy || undefined };
}

const SIGN_IN_NOTICES = new Map([
  ['idle', 'You were signed out after a period without activity. Please sign in again.'],
  ['signed-out', 'You have signed out.'],
  ['password', 'Your password is saved. Sign in with it now.'],
]);

/** The notice for the sign-in page's `reason`; none for any other word (not even one an object inherits). */
export const signInNotice = (reason: string): string | undefined => SIGN_IN_NOTICES.get(reason);

export function SignInPage(props: { csrf: string; email?: string; error?: string; notice?: string; next: string }) {
  return (
    <AuthLayout title="Sign in">
      {props.notice ? (
        <div class="notice notice-warning" role="status">
          <p>{props.notice}</p>
        </div>
      ) : null}
      <FormError message={props.error} />
      <form class="form" method="post" action="/staff/sign-in">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={props.email ?? ''}
            autofocus={!props.error}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            maxlength="1024"
          />
        </div>
        <button class="button" type="submit">
          Continue
        </button>
      </form>
      <p>
        <a href="/staff/forgot">Forgot your password?</a>
      </p>
    </AuthLayout>
  );
}

export function MfaPage(props: { csrf: string; error?: string; next: string }) {
  return (
    <AuthLayout title="Enter your verification code">
      <p>
        Open your authenticator app and enter the 6-digit code for Relief. Lost your phone? Enter one of your recovery
        codes instead.
      </p>
      <FormError message={props.error} />
      <form class="form" method="post" action="/staff/mfa">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="code">Code</label>
          <input
            id="code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            required
            maxlength="20"
            autofocus
            {...invalidWhen(props.error)}
          />
        </div>
        <button class="button" type="submit">
          Sign in
        </button>
      </form>
    </AuthLayout>
  );
}

export function EnrolPage(props: { csrf: string; qrSvgDataUrl: string; secret: string; error?: string }) {
  return (
    <AuthLayout title="Set up two-step sign-in">
      <p>
        Every staff account uses a second step to protect patient records. Scan this code with an authenticator app (for
        example Google Authenticator, Microsoft Authenticator or 1Password), then enter the 6-digit code it shows.
      </p>
      <p>
        <img src={props.qrSvgDataUrl} alt="QR code to add Relief to your authenticator app" width="220" height="220" />
      </p>
      <p>
        Cannot scan? Enter this key by hand: <code class="secret">{props.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
      </p>
      <FormError message={props.error} />
      <form class="form" method="post" action="/staff/enrol">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <div class="field">
          <label for="code">Code from your app</label>
          <input
            id="code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            required
            maxlength="20"
            {...invalidWhen(props.error)}
          />
        </div>
        <button class="button" type="submit">
          Turn on two-step sign-in
        </button>
      </form>
    </AuthLayout>
  );
}

export function RecoveryCodesPage(props: { codes: string[] }) {
  return (
    <AuthLayout title="Save your recovery codes">
      <p>
        If you lose your phone, each of these codes lets you sign in once. Store them somewhere safe (a password
        manager, or printed and locked away). They are shown only now.
      </p>
      <ul class="recovery-codes">
        {props.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href="/staff">
          I have saved them: continue
        </a>
      </p>
    </AuthLayout>
  );
}

export function PasswordPage(props: { title: string; action: string; csrf: string; error?: string; intro: string }) {
  return (
    <AuthLayout title={props.title}>
      <p>{props.intro}</p>
      <FormError message={props.error} />
      <form class="form" method="post" action={props.action}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        <div class="field">
          <label for="password">New password</label>
          <p class="hint" id="password-hint">
            At least 12 characters. A few unrelated words make a strong, memorable password. Very common passwords are
            refused.
          </p>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            maxlength="1024"
            {...invalidWhen(props.error, 'password-hint')}
          />
        </div>
        <div class="field">
          <label for="confirm">Repeat the new password</label>
          <input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="1024" />
        </div>
        <button class="button" type="submit">
          Save password
        </button>
      </form>
    </AuthLayout>
  );
}

export function MessagePage(props: { title: string; message: string; link?: { href: string; label: string } }) {
  return (
    <AuthLayout title={props.title}>
      <p class="lead" role="status">
        {props.message}
      </p>
      {props.link ? (
        <p>
          <a href={props.link.href}>{props.link.label}</a>
        </p>
      ) : null}
    </AuthLayout>
  );
}

export function ForgotPage(props: { csrf: string; error?: string }) {
  return (
    <AuthLayout title="Reset your password">
      <p>
        Enter your work email. If it belongs to an active account, we send a link that is valid for one hour. You will
        still need your verification code to sign in.
      </p>
      <FormError message={props.error} />
      <form class="form" method="post" action="/staff/forgot">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <div class="field">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required />
        </div>
        <button class="button" type="submit">
          Email me a link
        </button>
      </form>
    </AuthLayout>
  );
}
