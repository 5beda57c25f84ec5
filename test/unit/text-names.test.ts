import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { greeting, greetingName } from '../../src/kernel/ui/text.ts';
import { consultationRequestSchema as consultationRequest } from '../../src/requests/form-schema.ts';
import { plain } from '../../src/setup/forms.ts';

describe('names in emails', () => {
  it('greets by a name that looks like a name', () => {
    for (const name of [
      'Ana',
      'José',
      'Mary Ann',
      "O'Brien",
      'Jean-Luc',
      'Zoë',
      'Nguyễn Thị Minh',
      'Ólöf',
      '李',
      'Анна',
    ])
      expect(greeting(name), name).toBe(`Hello ${name},`);
    expect(greeting('  Ana  ')).toBe('Hello Ana,');
  });

  it('greets without a name that is a message, a number, a link or markup', () => {
    for (const name of [
      'URGENT call 1 800 555 0199 or visit evil[.]com',
      'Call 18005550199',
      'evil.com',
      'Ana!',
      '<b>Ana</b>',
      'Ana\u202Eevil',
      'A B C D',
      'x'.repeat(41),
      '',
      '  ',
      "'Ana",
      'Ana-',
      null,
      undefined,
    ])
      expect(greeting(name), String(name)).toBe('Hello,');
  });

  it('never puts a digit, a dot, a slash, a colon or an @ into a greeting (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (name) => {
        const fit = greetingName(name);
        if (fit !== null) expect(fit).not.toMatch(/[\d.:/@<>\p{Cc}\p{Cf}]/u);
      }),
    );
  });
});

describe('names on the consultation form', () => {
  const form = (first_name: string) =>
    consultationRequest.safeParse({
      first_name,
      last_name: 'Reyes',
      email: 'ana@example.com',
      phone: '(312) 555-0147',
      contact_method: 'email',
      location: 'chicago',
      consent: 'yes',
    });
  const messageFor = (name: string) => {
    const parsed = form(name);
    return parsed.success ? null : parsed.error.issues.find((i) => i.path[0] === 'first_name')?.message;
  };

  it('refuses a first name with digits, naming the field', () => {
    expect(messageFor('URGENT call 1 800 555 0199')).toBe('Enter your name without digits.');
    expect(messageFor('Ana2')).toBe('Enter your name without digits.');
    expect(messageFor('Ana')).toBeUndefined();
  });
});

describe('the clinic name and other set-up text', () => {
  const clinicName = plain('clinic name', 2, 100);
  it('refuses direction-changing and invisible characters, as it refuses markup', () => {
    for (const bad of ['Relief\u202EcinilC', 'Relief\u200B', 'Relief\u2066x', 'Relief <b>', 'Relief\u0007'])
      expect(clinicName.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(clinicName.safeParse('Relief Infusion Clinic – Chicago & Denver').success).toBe(true);
  });
});
