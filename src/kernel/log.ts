import type { FastifyServerOptions } from 'fastify';

// Anything that could identify a patient is removed before a log line is written.
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.first_name',
  '*.last_name',
  '*.firstName',
  '*.lastName',
  '*.email',
  '*.phone',
  '*.message',
  '*.to',
  '*.token',
  'body',
];

/**
 * Links sent by email carry their token in the path (booking, thanks, waitlist offer, intake, questionnaire and diary, staff welcome and reset);
 * query strings may carry anything.
 */
export function scrubUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/\/(book|manage|thanks|offer|welcome|reset|intake|questionnaire|diary)\/[^/]+/g, '/$1/[token]');
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: scrubUrl(req.url) }),
    },
  };
}
