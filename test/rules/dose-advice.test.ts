import { describe, expect, it } from 'vitest';
import { evaluate, type PatientFacts } from '../../functions/core/index.js';

/**
 * Dose advice that must not contradict itself across findings (clinical review of v2): the
 * one-click change to 100 mg/day with FIP1L1-PDGFRA is not offered beside a renal or paediatric
 * dose finding, and the renal finding's notes name one starting dose, not two.
 */

const fusionStart = (patch: PatientFacts = {}): PatientFacts => ({
  patient: { ageYears: 45, creatinineClearanceMlMin: 90, ...patch.patient },
  molecular: { fip1l1Pdgfra: 'detected' },
  order: { drug: 'imatinib', dailyDoseMg: 400, status: 'proposed', startsTherapy: true, ...patch.order },
});

const finding = async (facts: PatientFacts, ruleId: string) => (await evaluate(facts)).findings.find((f) => f.ruleId === ruleId);

describe('dose advice with FIP1L1-PDGFRA', () => {
  it('offers the change to 100 mg/day to an adult with normal renal function', async () => {
    const dose = await finding(fusionStart(), 'fip1l1-pdgfra-starting-dose');

    expect(dose?.suggestedActions).toEqual([expect.objectContaining({ kind: 'set-daily-dose', dailyDoseMg: 100 })]);
  });

  it.each([
    ['a 12-year-old', fusionStart({ patient: { ageYears: 12 } })],
    ['creatinine clearance 30 mL/min', fusionStart({ patient: { creatinineClearanceMlMin: 30 } })],
  ])('does not offer it for %s, and says why', async (_who, facts) => {
    const dose = await finding(facts, 'fip1l1-pdgfra-starting-dose');

    expect(dose).toBeDefined();
    expect(dose!.suggestedActions).toBeUndefined();
    expect(dose!.detail).toContain('the one-click change to 100 mg/day is not offered');
  });

  it('gives the renal finding one starting dose to halve: the 100 mg of the fusion, not the usual 400 mg', async () => {
    const renal = await finding(
      fusionStart({ patient: { creatinineClearanceMlMin: 30 }, order: { drug: 'imatinib', dailyDoseMg: 300 } }),
      'renal-impairment-moderate',
    );

    expect(renal!.detail).toContain('With FIP1L1-PDGFRA the starting dose is 100 mg');
    expect(renal!.detail).not.toContain('half of the 400 mg starting dose');
  });
});
