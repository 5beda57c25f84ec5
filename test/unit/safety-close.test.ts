import { describe, expect, it } from 'vitest';
import { CLOSE_ACTIONS, closeActions, mayClose, readClose } from '../../src/clinical/safety/close-rule.ts';

const item9 = (source: string, holds = false) => ({ kind: 'phq9_item9', source, holds });
const flag = (kind: string, holds = false) => ({ kind, source: 'lab result', holds });
const ASSESSMENT = 'Called the patient: passive thoughts, no plan; safety plan agreed.';

describe('closing an alert: one rule for both worklists (pure)', () => {
  it.each([
    ['provider', item9('intake'), true],
    ['provider', item9('check_in'), true],
    ['provider', flag('liver', true), true],
    ['provider', flag('dose_escalation'), true],
    ['nurse', item9('intake'), true],
    ['nurse', item9('questionnaire'), true],
    // A check-in answer stops that day's start until a provider assesses it.
    ['nurse', item9('check_in'), false],
    ['nurse', item9('questionnaire', true), false],
    ['nurse', flag('liver', true), false],
    ['nurse', flag('substance_use'), false],
    ['admin', item9('intake'), false],
    ['front_desk', item9('intake'), false],
  ] as const)('%s may close %o: %s', (role, alert, may) => {
    expect(mayClose(role, alert)).toBe(may);
  });

  it('every action offered has words, and a nurse records no prescribing decision', () => {
    for (const role of ['provider', 'nurse'] as const)
      for (const alert of [item9('intake'), flag('liver')])
        for (const a of closeActions(role, alert)) expect(CLOSE_ACTIONS[a]).toBeDefined();
    expect(closeActions('nurse', item9('intake'))).not.toContain('treatment_stopped');
    expect(closeActions('nurse', item9('intake'))).toContain('provider_told');
  });

  it('needs an assessment and one of the person’s actions, each refused by name', () => {
    expect(readClose('nurse', item9('intake'), {})).toEqual({
      ok: false,
      fields: {
        assessment: 'Assessment: write what was assessed and decided',
        action: 'Action taken: choose what was done',
      },
    });
    expect(readClose('nurse', item9('intake'), { assessment: 'short', action: 'patient_called' })).toMatchObject({
      ok: false,
      fields: { assessment: 'Assessment: write what was assessed and decided (at least 10 characters)' },
    });
    expect(readClose('nurse', item9('intake'), { assessment: ASSESSMENT, action: 'plan_paused' })).toMatchObject({
      ok: false,
      fields: { action: 'Action taken: choose what was done' },
    });
    expect(readClose('provider', item9('intake'), { assessment: ` ${ASSESSMENT}\r\n`, action: 'plan_paused' })).toEqual(
      { ok: true, data: { assessment: ASSESSMENT, action: 'plan_paused' } },
    );
  });
});
