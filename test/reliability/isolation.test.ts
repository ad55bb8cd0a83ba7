import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import { eventNames, lambdaContext, loadEvent, type Invoke } from '../support/events.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';

/** One patient's facts never reach another's answer, whatever runs at the same time or before. */

describe('isolation between evaluations', () => {
  it('gives 1,000 concurrent evaluations of different patients each its sequential answer', async () => {
    const patients = fc.sample(patientFacts, { seed: 31_337, numRuns: 1_000 });
    const sequential = [];
    for (const facts of patients) sequential.push(JSON.stringify(await evaluate(facts)));

    const concurrent = await Promise.all(patients.map(async (facts) => JSON.stringify(await evaluate(facts))));

    expect(concurrent).toEqual(sequential);
    expect(new Set(sequential).size).toBeGreaterThan(100);
  });

  it('gives the same answers from a cold and from a warm Lambda container', async () => {
    const events = eventNames('evaluate.');
    const answersOf = async (invoke: Invoke) => {
      const answers = [];
      for (const name of events) answers.push((await invoke(loadEvent(name), lambdaContext())).body);
      return answers;
    };
    vi.resetModules();
    const cold = (await import('../../functions/handlers/evaluate.js')).handler as unknown as Invoke;
    const coldAnswers = await answersOf(cold);
    // Warm: the same container after other patients' requests, in a different order.
    for (const name of [...events].reverse()) await cold(loadEvent(name), lambdaContext());
    const warmAnswers = await answersOf(cold);
    vi.resetModules();
    const otherCold = (await import('../../functions/handlers/evaluate.js')).handler as unknown as Invoke;

    expect(warmAnswers).toEqual(coldAnswers);
    expect(await answersOf(otherCold)).toEqual(coldAnswers);
  });
});

describe('runs that overlap on one engine', () => {
  const onTherapy = (months: number) => ({
    order: { drug: 'imatinib', dailyDoseMg: 400, status: 'active' as const },
    treatmentCourse: { monthsOnImatinib: months, skinLesions: 'improved' as const, symptoms: 'improved' as const },
  });

  it('decide every rule of a run, however far a second run has got when the first finishes', async () => {
    const expected = JSON.stringify(await evaluate(onTherapy(6)));
    for (let stagger = 0; stagger < 120; stagger += 3) {
      const first = evaluate(onTherapy(4));
      for (let i = 0; i < stagger; i++) await Promise.resolve();
      const second = evaluate(onTherapy(6));
      await first;
      expect(JSON.stringify(await second), `second run started ${stagger} microtasks later`).toBe(expected);
    }
  });
});
