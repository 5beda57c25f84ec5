import { describe, expect, it } from 'vitest';
import { intakeAnswersSchema, INTAKE_FACTS, readIntakeAnswers } from '../../src/clinical/intake/answers.ts';

describe('the intake answers shape', () => {
  it('keeps partial answers: an empty set and a set with one section are both valid', () => {
    expect(intakeAnswersSchema.safeParse({}).success).toBe(true);
    expect(intakeAnswersSchema.safeParse({ pain: { now: 6 } }).success).toBe(true);
    expect(readIntakeAnswers('{"phq9":{"q1":2}}')).toEqual({ phq9: { q1: 2 } });
  });

  it('asks only the intake questions: a fact from the examination is refused here', () => {
    expect(INTAKE_FACTS.length).toBeGreaterThan(3);
    expect(INTAKE_FACTS.every((f) => f.from === 'intake' && typeof f.question === 'string')).toBe(true);
    expect(intakeAnswersSchema.safeParse({ facts: { ketamine_allergy: true } }).success).toBe(true);
    expect(intakeAnswersSchema.safeParse({ facts: { active_psychosis: false } }).success).toBe(false);
  });

  it('refuses out-of-range answers, unknown sections and over-long text', () => {
    expect(intakeAnswersSchema.safeParse({ pain: { now: 11 } }).success).toBe(false);
    expect(intakeAnswersSchema.safeParse({ phq9: { q1: 4 } }).success).toBe(false);
    expect(intakeAnswersSchema.safeParse({ diary: 1 }).success).toBe(false);
    expect(intakeAnswersSchema.safeParse({ medications: 'x'.repeat(2001) }).success).toBe(false);
    expect(intakeAnswersSchema.safeParse({ symptoms: { sensory: true, other: true } }).success).toBe(false);
  });
});
