import { describe, expect, it } from 'vitest';
import { signInNotice } from '../../src/staff/auth-views.tsx';

describe('the sign-in page notice', () => {
  it('explains why the person is back at sign-in', () => {
    expect(signInNotice('idle')).toBe('You were signed out after a period without activity. Please sign in again.');
    expect(signInNotice('signed-out')).toBe('You have signed out.');
    expect(signInNotice('password')).toBe('Your password is saved. Sign in with it now.');
  });

  it('shows nothing for any other reason, including names every object inherits', () => {
    for (const reason of ['', 'other', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(signInNotice(reason), reason).toBeUndefined();
  });
});
