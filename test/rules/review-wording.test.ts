import { describe, expect, it } from 'vitest';
import { evaluate, type PatientFacts } from '../../functions/core/index.js';

/**
 * What the clinical review of knowledge base v3 asked the words of the findings to say: the drug
 * that matched, the value that triggered a hold, a rounded number that never contradicts its
 * threshold, the subtype by name, and nothing a source was not read to say.
 */

/** Sections of PatientFacts, each in part: what a vignette changes of the renewal below. */
type Patch = { [K in keyof PatientFacts]?: Partial<NonNullable<PatientFacts[K]>> };

const renewal = (patch: Patch = {}): PatientFacts => ({
  patient: { ageYears: 62, sex: 'male', creatinineClearanceMlMin: 80, hepaticImpairment: 'none', ...patch.patient },
  diagnosis: { smSubtype: 'ASM', ...patch.diagnosis },
  molecular: { kitD816V: 'not-detected', kitOtherMutations: [], fip1l1Pdgfra: 'not-detected', ...patch.molecular },
  labs: {
    neutrophilsPerMicroliter: 3200,
    plateletsPerMicroliter: 210000,
    bilirubinTimesUln: 0.8,
    altTimesUln: 1,
    astTimesUln: 1,
    ...patch.labs,
  },
  medications: { active: [], imatinibBefore: true, unidentified: [], ...patch.medications },
  order: { drug: 'imatinib', dailyDoseMg: 400, status: 'active', startsTherapy: false, ...patch.order },
});

const findingOf = async (facts: PatientFacts, ruleId: string) => {
  const finding = (await evaluate(facts)).findings.find((f) => f.ruleId === ruleId);
  expect(finding, `${ruleId} fired`).toBeDefined();
  return finding!;
};

describe('interaction findings name the drug that matched', () => {
  it('names the entry as recorded and the member it was taken for', async () => {
    const finding = await findingOf(renewal({ medications: { active: ['Tegretol 200 mg'] } }), 'strong-cyp3a4-inducer');

    expect(finding.detail).toContain('Classed as a strong CYP3A4 inducer, taken now: `Tegretol 200 mg` (carbamazepine).');
  });

  it('says how sources class the drug taken, and not the members the patient is not taking', async () => {
    const carbamazepine = await findingOf(renewal({ medications: { active: ['carbamazepine'] } }), 'strong-cyp3a4-inducer');
    const rifapentine = await findingOf(renewal({ medications: { active: ['rifapentine'] } }), 'strong-cyp3a4-inducer');

    expect(carbamazepine.detail).not.toMatch(/rifapentine|phenobarbital|ivosidenib/);
    expect(rifapentine.detail).toContain('- rifapentine: strong in Clin Transl Sci 2022');
    expect(rifapentine.detail).not.toMatch(/phenobarbital|ivosidenib/);
  });

  it.each([
    ['strong-cyp3a4-inhibitor', 'Biaxin XL', '`Biaxin XL` (clarithromycin)'],
    ['moderate-cyp3a4-inhibitor', 'fluconazole 200 mg', '`fluconazole 200 mg` (fluconazole)'],
    ['other-cyp3a4-inducer', 'efavirenz', '`efavirenz`'],
    ['cyp3a4-narrow-substrate', 'Zocor', '`Zocor` (simvastatin)'],
    ['warfarin-anticoagulation', 'Coumadin', '`Coumadin` (warfarin)'],
    ['levothyroxine-tsh', 'Synthroid', '`Synthroid` (levothyroxine)'],
  ])('%s names %s', async (ruleId, drug, shown) => {
    const finding = await findingOf(renewal({ medications: { active: [drug] } }), ruleId);

    expect(finding.detail).toMatch(new RegExp(`[Tt]aken now: ${shown.replace(/[()]/g, '\\$&')}`));
  });

  it('no longer counts ciprofloxacin as a moderate inhibitor (its class was not confirmed)', async () => {
    const result = await evaluate(renewal({ medications: { active: ['ciprofloxacin'] } }));

    expect(result.findings.map((f) => f.ruleId)).not.toContain('moderate-cyp3a4-inhibitor');
  });
});

describe('holds state what triggered them', () => {
  it('gives the count below the table threshold', async () => {
    const hold = await findingOf(renewal({ labs: { neutrophilsPerMicroliter: 800 } }), 'neutropenia-thrombocytopenia-hold');

    expect(hold.detail).toContain("Neutrophils 800/uL: below the table's 1000/uL");
    expect(hold.detail).not.toContain('units check');
  });

  it('says when the units check flagged the same count, with the value sent', async () => {
    const facts = renewal({ labs: { plateletsPerMicroliter: 95 } });
    const hold = await findingOf(facts, 'neutropenia-thrombocytopenia-hold');
    const units = await findingOf(facts, 'lab-value-implausible');

    expect(hold.detail).toContain('The units check also flagged this platelet count: if 95 was meant as 95 x 10^9/L');
    expect(units.detail).toContain('Platelets were sent as 95/uL: if meant as 95 x 10^9/L, that is 95 thousand per microlitre.');
  });

  it('does not blame the units check for another count', async () => {
    const hold = await findingOf(
      renewal({ labs: { neutrophilsPerMicroliter: 800 }, order: {} }),
      'neutropenia-thrombocytopenia-hold',
    );
    const flagged = await findingOf(
      {
        ...renewal({ labs: { neutrophilsPerMicroliter: 800 } }),
        labs: { neutrophilsPerMicroliter: 800, plateletsPerMicroliter: 210000, eosinophilsPerMicroliter: 0.6 },
      },
      'neutropenia-thrombocytopenia-hold',
    );

    expect(hold.detail).not.toContain('units check');
    expect(flagged.detail).not.toContain('units check');
  });

  it('gives the liver values above the label threshold', async () => {
    const hold = await findingOf(renewal({ labs: { altTimesUln: 6, bilirubinTimesUln: 3.5 } }), 'hepatotoxicity-hold');

    expect(hold.detail).toContain("ALT 6 x the upper limit of normal: above the label's 5 x.");
    expect(hold.detail).toContain("Bilirubin 3.5 x the upper limit of normal: above the label's 3 x.");
  });

  it('names the missing fact when it may be a first start', async () => {
    const start = renewal({
      labs: { neutrophilsPerMicroliter: 500 },
      order: { status: 'proposed', startsTherapy: true },
    });
    delete start.medications!.imatinibBefore;

    const hold = await findingOf(start, 'neutropenia-thrombocytopenia-hold');

    expect(hold.detail).toContain('whether the patient has taken imatinib before (medications.imatinibBefore) is not recorded');
    expect(hold.detail).not.toContain('whether the order starts therapy, or');
  });
});

describe('numbers, subtypes and summaries', () => {
  it('never writes a dose just below the threshold as the threshold', async () => {
    const finding = await findingOf(renewal({ order: { dailyDoseMg: 49.999 } }), 'dose-below-label');

    expect(finding.summary).toContain('Daily dose of 49.999 mg: below 50 mg');
    expect(finding.rationale.text).toContain('order.dailyDoseMg = 49.999');
  });

  it('names the subtype the label does not recommend imatinib in', async () => {
    const finding = await findingOf(renewal({ diagnosis: { smSubtype: 'SM-AHN' } }), 'subtype-outside-label');

    expect(finding.summary).toMatch(/^SM subtype SM-AHN: /);
  });

  it('suggests no agent in the D816V summary, and states both label findings when FIP1L1-PDGFRA is detected too', async () => {
    const finding = await findingOf(
      renewal({ molecular: { kitD816V: 'detected', fip1l1Pdgfra: 'detected' }, order: { dailyDoseMg: 100 } }),
      'kit-d816v-caveat',
    );

    expect(finding.summary).not.toMatch(/consider/i);
    expect(finding.detail).toContain('FIP1L1-PDGFRA is detected too.');
    expect(finding.evidence.map((e) => e.statement)).toContainEqual(
      expect.stringContaining('7 of 7 patients with the FIP1L1-PDGFRalpha'),
    );
  });

  it('does not call the D816V status unknown without saying a not-detected result may be set aside', async () => {
    const finding = await findingOf(
      renewal({ molecular: { kitD816V: 'not-detected', kitOtherMutations: ['c.2446G>C'] } }),
      'kit-status-unknown',
    );

    expect(finding.summary).toContain('or a not-detected result not relied on');
    expect(finding.detail).toContain(
      'A D816V result of not detected, if one was sent, is not relied on: a KIT entry could not be read (`c.2446G>C`)',
    );
  });

  it('states no label time period after the last dose that no label copy was read to give', async () => {
    const start = renewal({ patient: { sex: 'female', ageYears: 34 }, order: { status: 'proposed', startsTherapy: true } });

    const finding = await findingOf(start, 'reproductive-potential-counselling');

    expect(finding.detail).not.toMatch(/14 days|fourteen|1 month/);
  });
});
