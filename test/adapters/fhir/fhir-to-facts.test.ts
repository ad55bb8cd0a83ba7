import type { Condition } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import {
  dailyDoseMg,
  factsFromFhir,
  isImatinib,
  proteinChange,
  readResources,
  type FhirInputs,
} from '../../../functions/adapters/fhir/fhir-to-facts.js';
import { dailyDosage, medicationRequest, observation, quantity, subject, variant } from '../../support/fhir.js';

const order = medicationRequest({ code: '403879' }, dailyDosage(400));
const inputs = (extra: Partial<FhirInputs>): FhirInputs => ({
  order,
  otherDraftOrders: [],
  now: new Date('2026-11-28T12:00:00Z'),
  ...extra,
});
const condition = (code: string, clinical = 'active'): Condition => ({
  resourceType: 'Condition',
  subject,
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinical }] },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code }] },
});

describe('FHIR R4 to PatientFacts', () => {
  describe('the imatinib order', () => {
    it.each([
      ['the ingredient code', { code: '282388' }],
      ['the 400 mg tablet', { code: '403879' }],
      ['the Gleevec 100 mg tablet', { code: '404588' }],
      ['the name in the text when the code is local', { text: 'Imatinib mesylate 400 mg tab' }],
    ])('recognises imatinib by %s', (_how, medication) => {
      expect(isImatinib(medicationRequest(medication))).toBe(true);
    });

    it('does not take another drug for imatinib', () => {
      expect(isImatinib(medicationRequest({ code: '662281', text: 'nilotinib' }))).toBe(false);
    });

    it.each([
      ['400 mg once a day', dailyDosage(400), 400],
      ['200 mg twice a day', dailyDosage(200, 2), 400],
      ['300 mg every 12 hours', dailyDosage(300, 1, 12, 'h'), 600],
      [
        '0.1 g a day',
        [
          {
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' as const } },
            doseAndRate: [{ doseQuantity: quantity(0.1, 'g') }],
          },
        ],
        100,
      ],
      ['two instructions of 100 mg a day', [...dailyDosage(100), ...dailyDosage(100)], 200],
    ])('reads a daily dose of %s', (_what, dosage, expected) => {
      expect(dailyDoseMg(medicationRequest({ code: '282388' }, dosage))).toBe(expected);
    });

    it.each([
      [
        'a dose in tablets',
        [
          {
            timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' as const } },
            doseAndRate: [{ doseQuantity: quantity(1, '{tbl}') }],
          },
        ],
      ],
      ['no timing', [{ doseAndRate: [{ doseQuantity: quantity(400, 'mg') }] }]],
      [
        'a frequency range',
        [
          {
            timing: { repeat: { frequency: 1, frequencyMax: 2, period: 1, periodUnit: 'd' as const } },
            doseAndRate: [{ doseQuantity: quantity(400, 'mg') }],
          },
        ],
      ],
      ['no dosage at all', []],
    ])('leaves the dose unknown for %s rather than guess', (_what, dosage) => {
      expect(dailyDoseMg(medicationRequest({ code: '282388' }, dosage))).toBeUndefined();
    });

    it('takes a draft order as proposed and notes a prednisone order alongside', () => {
      const facts = factsFromFhir(inputs({ otherDraftOrders: [medicationRequest({ code: '8640' }, [], 'draft', 'mr-2')] }));

      expect(facts.order).toEqual({ drug: 'imatinib', dailyDoseMg: 400, status: 'proposed', prednisoneCoTherapy: true });
    });

    it('does not say "no prednisone" when no prednisone order is in the draft', () => {
      expect(factsFromFhir(inputs({})).order).not.toHaveProperty('prednisoneCoTherapy');
    });
  });

  describe('the patient', () => {
    it('reads sex and the age on the day', () => {
      const facts = factsFromFhir(inputs({ patient: { resourceType: 'Patient', gender: 'female', birthDate: '1968-11-29' } }));

      expect(facts.patient).toEqual({ sex: 'female', ageYears: 57 });
    });

    it.each([
      ['LA15173-0', true],
      ['LA26683-5', false],
    ])('reads pregnancy status answer %s as %s', (answer, pregnant) => {
      const status = observation('82810-3', { valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: answer }] } });

      expect(factsFromFhir(inputs({ observations: [status] })).patient?.pregnant).toBe(pregnant);
    });

    it('leaves pregnancy unknown for the answer "Unknown"', () => {
      const status = observation('82810-3', {
        valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA4489-6' }] },
      });

      expect(factsFromFhir(inputs({ observations: [status] })).patient).toBeUndefined();
    });

    it('prefers the Cockcroft-Gault clearance to a 24-hour measured one', () => {
      const facts = factsFromFhir(
        inputs({
          observations: [
            observation('2164-2', { valueQuantity: quantity(50, 'mL/min') }),
            observation('35591-7', { valueQuantity: quantity(35, 'mL/min') }),
          ],
        }),
      );

      expect(facts.patient?.creatinineClearanceMlMin).toBe(35);
    });

    it('does not read a clearance normalised to body surface as mL/min', () => {
      const facts = factsFromFhir(
        inputs({ observations: [observation('35591-7', { valueQuantity: quantity(35, 'mL/min/{1.73_m2}') })] }),
      );

      expect(facts.patient).toBeUndefined();
    });
  });

  describe('labs', () => {
    it.each([
      ['10*3/uL', 1.8, 1800],
      ['10*9/L', 1.5, 1500],
      ['/uL', 1499, 1499],
    ])('converts an eosinophil count in %s', (unit, value, expected) => {
      const facts = factsFromFhir(inputs({ observations: [observation('711-2', { valueQuantity: quantity(value, unit) })] }));

      expect(facts.labs?.eosinophilsPerMicroliter).toBe(expected);
    });

    it('leaves a count in an unknown unit unknown', () => {
      expect(
        factsFromFhir(inputs({ observations: [observation('26449-9', { valueQuantity: quantity(1.8, '%') })] })).labs,
      ).toBeUndefined();
    });

    it('takes the most recent result, and skips results entered in error', () => {
      const facts = factsFromFhir(
        inputs({
          observations: [
            observation('21582-2', { valueQuantity: quantity(200, 'ng/mL') }, '2026-01-01'),
            observation('21582-2', { valueQuantity: quantity(120, 'ng/mL') }, '2026-11-01'),
            observation('21582-2', { valueQuantity: quantity(999, 'ng/mL') }, '2026-11-27', 'entered-in-error'),
          ],
        }),
      );

      expect(facts.labs?.serumTryptaseNgMl).toBe(120);
    });
  });

  describe('molecular findings (Genomics Reporting IG variants)', () => {
    it.each(['NP_000213.1:p.Asp816Val', 'p.(Asp816Val)', 'p.D816V'])('reads %s as KIT D816V', (hgvs) => {
      expect(proteinChange(hgvs)).toBe('D816V');
    });

    it('reads KIT D816V present and absent', () => {
      const kit = [{ code: 'HGNC:6342' }];

      expect(factsFromFhir(inputs({ observations: [variant(kit, true, 'p.Asp816Val')] })).molecular).toEqual({
        kitD816V: 'detected',
      });
      expect(factsFromFhir(inputs({ observations: [variant(kit, false, 'p.Asp816Val')] })).molecular).toEqual({
        kitD816V: 'not-detected',
      });
    });

    it('lists other KIT variants found, in one-letter notation', () => {
      const kit = [{ code: 'HGNC:6342', system: 'http://www.genenames.org' }];

      expect(factsFromFhir(inputs({ observations: [variant(kit, true, 'p.Phe522Cys')] })).molecular).toEqual({
        kitOtherMutations: ['F522C'],
      });
    });

    it('reads a FIP1L1-PDGFRA fusion from its two genes studied', () => {
      const fusion = variant([{ code: 'HGNC:8803' }, { text: 'FIP1L1' }], true);

      expect(factsFromFhir(inputs({ observations: [fusion] })).molecular).toEqual({ fip1l1Pdgfra: 'detected' });
    });

    it('does not take a PDGFRA variant alone for the fusion', () => {
      expect(
        factsFromFhir(inputs({ observations: [variant([{ code: 'HGNC:8803' }], true, 'p.Asp842Val')] })).molecular,
      ).toBeUndefined();
    });
  });

  describe('diagnosis and medications', () => {
    it.each([
      ['C96.21', 'ASM'],
      ['C94.30', 'MCL'],
    ])('reads ICD-10-CM %s as %s', (code, subtype) => {
      expect(factsFromFhir(inputs({ conditions: [condition(code)] })).diagnosis).toEqual({ smSubtype: subtype });
    });

    it('leaves the subtype unknown for D47.02, which names none, and for two subtypes at once', () => {
      expect(factsFromFhir(inputs({ conditions: [condition('D47.02')] })).diagnosis).toBeUndefined();
      expect(factsFromFhir(inputs({ conditions: [condition('C96.21'), condition('C94.30')] })).diagnosis).toBeUndefined();
    });

    it('ignores a resolved condition', () => {
      expect(factsFromFhir(inputs({ conditions: [condition('C96.21', 'resolved')] })).diagnosis).toBeUndefined();
    });

    it('finds strong CYP3A4 inducers by RxNorm code or by name, among active orders only', () => {
      const medications = [
        medicationRequest({ code: '9384' }, [], 'active', 'a'),
        medicationRequest({ text: "St. John's Wort 300 mg" }, [], 'active', 'b'),
        medicationRequest({ code: '2002', text: 'carbamazepine' }, [], 'stopped', 'c'),
      ];

      expect(factsFromFhir(inputs({ medications })).medications).toEqual({
        strongCyp3a4Inducers: ["St John's wort", 'rifampin'],
      });
    });

    it('reports no inducers, rather than unknown, when the medication list came back empty', () => {
      expect(factsFromFhir(inputs({ medications: [] })).medications).toEqual({ strongCyp3a4Inducers: [] });
      expect(factsFromFhir(inputs({})).medications).toBeUndefined();
    });
  });

  describe('resources it cannot read', () => {
    it('leaves out, and counts, resources whose read elements have the wrong FHIR types', () => {
      const bundle = {
        resourceType: 'Bundle',
        entry: [
          { resource: observation('21582-2', { valueQuantity: quantity(120, 'ng/mL') }) },
          { resource: { ...observation('21582-2', {}), valueQuantity: { value: '120' } } },
          { resource: { resourceType: 'Observation', code: 'tryptase' } },
          null,
          { resource: { resourceType: 'Patient' } },
        ],
      };

      const { resources, unreadable } = readResources(bundle, 'Observation');

      expect(resources).toHaveLength(1);
      expect(unreadable).toBe(2);
    });

    it('finds nothing when a FHIR value names a property of Object itself', () => {
      const order = medicationRequest({ code: '282388' }, [
        {
          timing: { repeat: { frequency: 1, period: 1, periodUnit: 'constructor' as 'd' } },
          doseAndRate: [{ doseQuantity: quantity(400, 'mg') }],
        },
      ]);
      const facts = factsFromFhir(inputs({ order, patient: { resourceType: 'Patient', gender: '__proto__' as 'other' } }));

      expect(facts.order).not.toHaveProperty('dailyDoseMg');
      expect(facts.patient).toBeUndefined();
    });

    it('does not turn an absurd count into a fact outside the contract', () => {
      const facts = factsFromFhir(
        inputs({ observations: [observation('711-2', { valueQuantity: quantity(1e308, '10*3/uL') })] }),
      );

      expect(facts.labs).toBeUndefined();
    });
  });
});
