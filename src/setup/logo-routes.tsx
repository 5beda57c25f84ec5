import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isUploadedFile, MultipartError, parseMultipart } from '../kernel/http/multipart.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { staffOf } from '../kernel/http/reply.ts';
import { Refusal } from '../kernel/refusal.ts';
import { checkLogo, LOGO_MAX_BYTES } from '../kernel/ui/brand/logo.ts';
import { removeClinicLogo, saveClinicLogo } from './clinic-service.ts';
import type { Errors } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';

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

/** Upload and removal; registered in its own scope so that only the upload route reads multipart bodies. */
export async function logoSetupRoutes(app: FastifyInstance, opts: { show: ShowClinicPage }): Promise<void> {
  const { database } = app.deps;

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
    await saveClinicLogo(database, actorOf(app, req), check);
    return opts.show(reply, staff, {
      saved: 'Logo saved. It now shows in the site header, the staff header and emails.',
    });
  });

  app.post('/staff/setup/clinic/logo/remove', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff = staffOf(req);
    const removed = await removeClinicLogo(database, actorOf(app, req));
    return opts.show(reply, staff, {
      saved: removed ? 'Logo removed: the site header shows the clinic name again.' : 'There was no logo to remove.',
    });
  });
}
