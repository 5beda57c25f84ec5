/**
 * Why a delivery failed, in classes a person can act on (the staff banner names them), and whether trying again can
 * ever help. Pure: reads the error nodemailer threw (its `code`, `responseCode` and `command`), nothing else.
 */
import type { FailureClass } from '../db/schema.ts';

export interface DeliveryFailure {
  class: FailureClass;
  /** True when the receiving server refused this recipient or message for good (a 5xx): never retried. */
  permanent: boolean;
}

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETLS',
]);
const CONNECTION_WORDS =
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b|timed? ?out|connect/i;
/** 530 authentication required, 534/538 mechanism too weak or needs encryption, 535 credentials invalid. */
const AUTH_REPLIES = new Set([530, 534, 535, 538]);

export function classifyFailure(err: unknown): DeliveryFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  const message = typeof e.message === 'string' ? e.message : String(err);

  if (code === 'EAUTH' || command.startsWith('AUTH') || (reply !== undefined && AUTH_REPLIES.has(reply)))
    return { class: 'authentication', permanent: false };
  // A refusal of the recipient (RCPT) or of the message itself (DATA): 5xx is final for this address, 4xx is "later".
  if (code === 'EENVELOPE' || command.startsWith('RCPT') || command === 'DATA' || command === 'DATA END')
    return { class: 'recipient', permanent: reply !== undefined && reply >= 500 && reply < 600 };
  if (CONNECTION_CODES.has(code) || command === 'CONN' || CONNECTION_WORDS.test(message))
    return { class: 'connection', permanent: false };
  return { class: 'other', permanent: false };
}
