import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stylesheetHash, urlHash } from './brand.ts';
import { currentBrand, currentLogo } from './current.ts';
import { brandCss } from './palette.ts';

const YEAR = 'public, max-age=31536000, immutable';

/**
 * A hashed URL that is current gets a year of caching. An outdated one (a page or an email from before a change)
 * gets today's file, revalidated each time, so old emails show the new logo instead of a broken image.
 */
function send(
  req: FastifyRequest,
  reply: FastifyReply,
  asked: string,
  actual: string,
  type: string,
  body: string | Buffer,
) {
  const etag = `"${actual}"`;
  reply
    .header('etag', etag)
    .header('cache-control', asked === actual ? YEAR : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .type(type);
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.send(body);
}

/** Called on the root instance (not registered as a plugin), so that the hook reaches every staff route. */
export function installBrand(app: FastifyInstance): void {
  const { database } = app.deps;
  // Staff pages get the brand through their StaffContext, as StaffLayout has no other way to the database.
  app.addHook('preHandler', async (req) => {
    if (req.staff) req.staff.brand = await currentBrand(database);
  });

  app.get<{ Params: { file: string } }>('/brand/:file', { config: { policy: 'public' } }, async (req, reply) => {
    const css = /^([0-9a-f]{16})\.css$/.exec(req.params.file);
    if (css) {
      const { accent } = await currentBrand(database);
      return send(req, reply, css[1]!, stylesheetHash(accent), 'text/css; charset=utf-8', brandCss(accent));
    }
    const logo = /^logo-([0-9a-f]{16})\.(png|jpg)$/.exec(req.params.file);
    const row = logo && (await currentLogo(database));
    if (logo && row) return send(req, reply, logo[1]!, urlHash(row.sha256), row.content_type, row.bytes);
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  });
}
