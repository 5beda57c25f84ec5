import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Refusal } from '../kernel/refusal.ts';
import { checkLogo, LOGO_MAX_BYTES } from '../kernel/ui/brand/logo.ts';
import { isUploadedFile, MultipartError, parseMultipart } from '../kernel/http/multipart.ts';
import { forgetBrand } from '../kernel/ui/brand/current.ts';
import { Csrf } from '../kernel/ui/staff-layout.tsx';
import type { StaffContext } from '../kernel/http/policy.ts';
import type { Errors } from './forms.ts';
import { ADMIN_ONLY, saveSetup } from './service.ts';
import { FieldError, invalid } from './ui.tsx';

/**
 * Bodies this large are still read, so that a logo over LOGO_MAX_BYTES gets the form back with a message; beyond
 * this, Fastify stops reading and answers 413. Only this route takes more than the app's 64 KB.
 */
const UPLOAD_LIMIT = 1024 * 1024;

export type ShowClinicPage = (
  reply: FastifyReply,
  staff: StaffContext,
  extra: { errors?: Errors; saved?: string },
  status?: number,
) => Promise<unknown>;

/** The logo part of the clinic settings page: the current logo, an upload form and a way to remove it. */
export function LogoSection(props: { csrf: string; logo: string | undefined; errors: Errors }) {
  const { errors } = props;
  return (
    <section aria-labelledby="logo-heading">
      <h2 id="logo-heading">Logo</h2>
      {props.logo ? (
        <Fragment>
          <p>Shown in the site header (in place of the clinic name), the staff header and emails:</p>
          <p>
            <img class="logo-preview" src={props.logo} alt="The clinic's current logo" />
          </p>
        </Fragment>
      ) : (
        <p>No logo: the site header shows the clinic name as text.</p>
      )}
      <form class="form" method="post" action="/staff/setup/clinic/logo" enctype="multipart/form-data" novalidate>
        <Csrf token={props.csrf} />
        <div class="field">
          <label for="logo">{props.logo ? 'Replace the logo' : 'Upload a logo'}</label>
          <span class="hint" id="logo-hint">
            {`A PNG or JPEG file of at most ${LOGO_MAX_BYTES / 1024} KB, ideally about 100 pixels high, on a white or transparent background. SVG is not accepted.`}
          </span>
          <FieldError id="logo" message={errors.logo} />
          <input
            id="logo"
            name="logo"
            type="file"
            accept="image/png,image/jpeg"
            {...invalid('logo', errors, 'logo-hint')}
          />
        </div>
        <button class="button" type="submit">
          Upload logo
        </button>
      </form>
      {props.logo ? (
        <form class="form" method="post" action="/staff/setup/clinic/logo/remove">
          <Csrf token={props.csrf} />
          <button class="button button-secondary" type="submit">
            Remove the logo
          </button>
        </form>
      ) : null}
    </section>
  );
}

/** Upload and removal; registered in its own scope so that only the upload route reads multipart bodies. */
export async function logoSetupRoutes(app: FastifyInstance, opts: { show: ShowClinicPage }): Promise<void> {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      done(null, parseMultipart(req.headers['content-type'], body as Buffer));
    } catch (err) {
      if (!(err instanceof MultipartError)) return done(err as Error, undefined);
      done(
        new Refusal(
          'invalid_upload',
          'The upload could not be read. Please choose the file again and send the form once more.',
        ),
        undefined,
      );
    }
  });
  // The one 4xx that comes before the form can be shown again: say what the limit is. Others go to the app's handler.
  app.setErrorHandler((err: FastifyError) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      throw new Refusal(
        'too_large',
        `That file is far too large: the logo can be at most ${LOGO_MAX_BYTES / 1024} KB.`,
      );
    }
    throw err;
  });

  app.post('/staff/setup/clinic/logo', { config: ADMIN_ONLY, bodyLimit: UPLOAD_LIMIT }, async (req, reply) => {
    const staff = staffOf(req);
    const sent = (req.body as Record<string, unknown> | undefined)?.logo;
    const check = checkLogo(isUploadedFile(sent) ? sent.data : undefined);
    if (!check.ok) return opts.show(reply, staff, { errors: { logo: check.message } }, 400);
    const row = { content_type: check.type, sha256: check.sha256, bytes: check.data, updated_at: app.deps.now() };
    await saveSetup(app, req, { thing: 'clinic_logo', locationId: null }, async (trx) => {
      await trx
        .insertInto('clinic_logo')
        .values({ clinic_id: 'clinic', ...row })
        .onConflict((oc) => oc.column('clinic_id').doUpdateSet(row))
        .execute();
      return { result: undefined, detail: { type: check.type, bytes: check.data.length, sha256: check.sha256 } };
    });
    forgetBrand(app.deps.database);
    return opts.show(reply, staff, {
      saved: 'Logo saved. It now shows in the site header, the staff header and emails.',
    });
  });

  app.post('/staff/setup/clinic/logo/remove', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff = staffOf(req);
    const removed = await saveSetup(app, req, { thing: 'clinic_logo_remove', locationId: null }, async (trx) => {
      const res = await trx.deleteFrom('clinic_logo').where('clinic_id', '=', 'clinic').executeTakeFirst();
      const done = Number(res.numDeletedRows) > 0;
      return { result: done, detail: { removed: done } };
    });
    forgetBrand(app.deps.database);
    return opts.show(reply, staff, {
      saved: removed ? 'Logo removed: the site header shows the clinic name again.' : 'There was no logo to remove.',
    });
  });
}
