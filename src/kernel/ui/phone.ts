/**
 * Phone numbers are stored as E.164 (+13125550147, see the request form's normalizePhone). People read North American
 * numbers as (312) 555-0147; others are shown as stored, since where a country code ends cannot be told without a
 * numbering plan. A stored value that is not E.164 (older data) is shown as it is.
 */
export function displayPhone(phone: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : phone;
}

/** The number for a tel: link: digits with the leading + only, so phones dial it as stored. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^+\d]/g, '')}`;
}
