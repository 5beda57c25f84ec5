import { describe, expect, it } from 'vitest';
import { displayPhone, telHref } from '../../src/kernel/ui/phone.ts';

describe('phone numbers for reading and dialling', () => {
  it.each([
    ['+13125550147', '(312) 555-0147', 'tel:+13125550147'],
    ['+442079460958', '+442079460958', 'tel:+442079460958'],
    ['+1312555014', '+1312555014', 'tel:+1312555014'],
    ['312 555 0147', '312 555 0147', 'tel:3125550147'],
  ])('%s reads %s and dials %s', (stored, shown, href) => {
    expect(displayPhone(stored)).toBe(shown);
    expect(telHref(stored)).toBe(href);
  });
});
