import type { Condition, MedicationRequest, MedicationStatement, Observation } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { factsFromFhir, isImatinib, type FhirInputs } from '../../../functions/adapters/fhir/fhir-to-facts.js';
import { dailyDoseMg } from '../../../functions/adapters/fhir/medications.js';
import { readResources } from '../../../functions/adapters/fhir/resources.js';
import { yearOnImatinibFacts, yearOnImatinibRecord } from '../../support/year-on-imatinib.js';
import { dailyDosage, medicationRequest, observation, quantity, subject, variant } from '../../support/fhir.js';

const order = medicationRequest({ code: '403879' }, dailyDosage(400));
const read = <T>(resources: T[]) => ({ resources, unreadable: 0 });
const statement = (text: string, start: string): MedicationStatement => ({
  resourceType: 'MedicationStatement',
  status: 'active',
  subject,
  medicationCodeableConcept: { text },
  effectivePeriod: { start },
});
const inputs = (extra: Partial<FhirInputs>): FhirInputs => ({
  order,
  otherDraftOrders: [],
  now: new Date('2026-11-28T12:00:00Z'),
  ...extra,
});
/** Every medication list read whole and empty: the history holds no other imatinib. */
const noOtherMedications = {
  medicationRequests: read([]),
  medicationStatements: read([]),
  requestHistory: read([]),
  statementHistory: read([]),
};
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
        'a dose in tablets of a product whose strength the RxNorm code does not give',
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
      [
        'doses on some days of the week only',
        [
          {
            timing: {
              repeat: {
                frequency: 1,
                period: 1,
                periodUnit: 'd' as const,
                dayOfWeek: ['mon' as const, 'wed' as const, 'fri' as const],
              },
            },
            doseAndRate: [{ doseQuantity: quantity(400, 'mg') }],
          },
        ],
      ],
    ])('leaves the dose unknown for %s rather than guess', (_what, dosage) => {
      expect(dailyDoseMg(medicationRequest({ code: '282388' }, dosage))).toBeUndefined();
    });

    it.each([
      [
        'one 400 mg tablet a day, as the public sandbox sends it ({pill}, no unit text)',
        '403879',
        { value: 1, system: 'http://unitsofmeasure.org', code: '{pill}' },
        1,
        400,
      ],
      [
        'two Gleevec 100 mg tablets twice a day',
        '404588',
        { value: 2, system: 'http://unitsofmeasure.org', code: '{tbl}' },
        2,
        400,
      ],
      ['one 100 mg tablet a day in unity', '403878', { value: 1, system: 'http://unitsofmeasure.org', code: '1' }, 1, 100],
      [
        'one 400 mg tablet a day as FHIR spells it, {Pill}',
        '403879',
        { value: 1, system: 'http://unitsofmeasure.org', code: '{Pill}' },
        1,
        400,
      ],
    ])('reads a count of tablets: %s', (_what, code, doseQuantity, frequency, expected) => {
      const request = medicationRequest({ code }, [
        { timing: { repeat: { frequency, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity }] },
      ]);

      expect(dailyDoseMg(request)).toBe(expected);
    });

    it('reads the drug of a contained Medication, or of one in the same Bundle', () => {
      const byReference = (reference: string) => ({
        ...medicationRequest({}, dailyDosage(400)),
        medicationCodeableConcept: undefined,
        medicationReference: { reference },
        contained: [
          {
            resourceType: 'Medication' as const,
            id: 'm1',
            code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '403879' }] },
          },
        ],
      });
      const bundled = { resourceType: 'Medication' as const, id: 'm2', code: { text: 'Gleevec 400 mg' } };

      expect(isImatinib(byReference('#m1'))).toBe(true);
      expect(isImatinib(byReference('Medication/m2'), [bundled])).toBe(true);
      expect(isImatinib(byReference('Medication/other'), [bundled])).toBe(false);
    });

    it('takes a draft order as proposed and notes a prednisone order alongside', () => {
      const facts = factsFromFhir(inputs({ otherDraftOrders: [medicationRequest({ code: '8640' }, [], 'draft', 'mr-2')] }));

      expect(facts.order).toEqual({ drug: 'imatinib', dailyDoseMg: 400, status: 'proposed', prednisoneCoTherapy: true });
    });

    it('says the order starts therapy when the medication lists were read and hold no imatinib', () => {
      const facts = factsFromFhir(inputs({ medicationRequests: read([]), medicationStatements: read([]) }));

      expect(facts.order?.startsTherapy).toBe(true);
    });

    it.each([
      [
        'another active imatinib order',
        {
          medicationRequests: read([medicationRequest({ code: '403878' }, [], 'active', 'older')]),
          medicationStatements: read([]),
        },
      ],
      [
        'an active statement of imatinib',
        { medicationRequests: read([]), medicationStatements: read([statement('Imatinib 400 mg', '2025-11-01')]) },
      ],
      [
        'a draft that renews an earlier prescription',
        { order: { ...order, priorPrescription: { reference: 'MedicationRequest/older' } } },
      ],
    ])('says the order continues therapy with %s', (_with, extra) => {
      expect(factsFromFhir(inputs(extra)).order?.startsTherapy).toBe(false);
    });

    it('leaves the start unknown when a medication list could not be read whole', () => {
      const facts = factsFromFhir(
        inputs({ medicationRequests: { resources: [], unreadable: 1 }, medicationStatements: read([]) }),
      );

      expect(facts.order).not.toHaveProperty('startsTherapy');
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

    it('takes sex for clinical use, then birth sex, over the administrative gender', () => {
      const clinical = {
        url: 'http://hl7.org/fhir/StructureDefinition/patient-sexParameterForClinicalUse',
        extension: [
          {
            url: 'value',
            valueCodeableConcept: {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/sex-parameter-for-clinical-use', code: 'female-typical' },
              ],
            },
          },
        ],
      };
      const birth = { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'M' };

      expect(
        factsFromFhir(inputs({ patient: { resourceType: 'Patient', gender: 'male', extension: [birth, clinical] } })).patient
          ?.sex,
      ).toBe('female');
      expect(
        factsFromFhir(inputs({ patient: { resourceType: 'Patient', gender: 'other', extension: [birth] } })).patient?.sex,
      ).toBe('male');
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

    it('takes the most recent final result, and skips results entered in error or preliminary', () => {
      const facts = factsFromFhir(
        inputs({
          observations: [
            observation('21582-2', { valueQuantity: quantity(200, 'ng/mL') }, '2026-11-01'),
            observation('21582-2', { valueQuantity: quantity(120, 'ng/mL') }, '2026-11-10'),
            observation('21582-2', { valueQuantity: quantity(999, 'ng/mL') }, '2026-11-27', 'entered-in-error'),
            observation('21582-2', { valueQuantity: quantity(888, 'ng/mL') }, '2026-11-27', 'preliminary'),
          ],
        }),
      );

      expect(facts.labs?.serumTryptaseNgMl).toBe(120);
    });

    it('leaves a result older than 30 days out: a two-year-old count must not raise a hold today', () => {
      const facts = factsFromFhir(
        inputs({ observations: [observation('751-8', { valueQuantity: quantity(0.5, '10*9/L') }, '2024-11-01')] }),
      );

      expect(facts.labs).toBeUndefined();
    });

    it('reads neutrophils and platelets in cells per microlitre', () => {
      const facts = factsFromFhir(
        inputs({
          observations: [
            observation('751-8', { valueQuantity: quantity(0.7, '10*9/L') }),
            observation('777-3', { valueQuantity: quantity(45, '10*3/uL') }),
          ],
        }),
      );

      expect(facts.labs).toEqual({ neutrophilsPerMicroliter: 700, plateletsPerMicroliter: 45000 });
    });

    it('reads a liver test as a multiple of the upper limit of its own reference range, in the same unit', () => {
      const alt = observation('1742-6', { valueQuantity: quantity(205, 'U/L'), referenceRange: [{ high: quantity(41, 'U/L') }] });
      const bilirubinInOtherUnit = observation('1975-2', {
        valueQuantity: quantity(2.4, 'mg/dL'),
        referenceRange: [{ high: quantity(21, 'umol/L') }],
      });
      const astWithoutRange = observation('1920-8', { valueQuantity: quantity(300, 'U/L') });

      const facts = factsFromFhir(inputs({ observations: [alt, bilirubinInOtherUnit, astWithoutRange] }));

      expect(facts.labs).toEqual({ altTimesUln: 5 });
    });
  });

  describe('the heart', () => {
    const interpretation = (code: string) => [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code }] },
    ];

    it.each([
      ['above its range', { valueQuantity: quantity(52, 'ng/L'), referenceRange: [{ high: quantity(14, 'ng/L') }] }, 'elevated'],
      ['within its range', { valueQuantity: quantity(9, 'ng/L'), referenceRange: [{ high: quantity(14, 'ng/L') }] }, 'normal'],
      [
        'interpreted high, whatever its range',
        { valueQuantity: quantity(9, 'ng/L'), interpretation: interpretation('H') },
        'elevated',
      ],
    ])('reads a troponin %s', (_how, value, expected) => {
      expect(factsFromFhir(inputs({ observations: [observation('67151-1', value)] })).cardiac).toEqual({ troponin: expected });
    });

    it('reads an echocardiogram as abnormal when the study or a low ejection fraction says so, as normal only from the study', () => {
      const study = (code: string) => observation('18106-5', { interpretation: interpretation(code) });
      const fraction = (percent: number) =>
        observation(
          '18043-0',
          { valueQuantity: quantity(percent, '%'), referenceRange: [{ low: quantity(52, '%') }] },
          '2026-11-25',
        );
      const echo = (...observations: Observation[]) => factsFromFhir(inputs({ observations })).cardiac?.echocardiogram;

      expect(echo(study('A'))).toBe('abnormal');
      expect(echo(study('N'))).toBe('normal');
      expect(echo(fraction(40))).toBe('abnormal');
      expect(echo(study('N'), fraction(40))).toBe('abnormal');
      // A normal ejection fraction, even a later one, neither clears an abnormal study nor makes an echo normal.
      expect(echo(study('A'), fraction(62))).toBe('abnormal');
      expect(echo(fraction(62))).toBeUndefined();
    });

    it('leaves a troponin without a range or interpretation unknown', () => {
      expect(
        factsFromFhir(inputs({ observations: [observation('6598-7', { valueQuantity: quantity(0.2, 'ng/mL') })] })).cardiac,
      ).toBeUndefined();
    });
  });

  describe('molecular findings (Genomics Reporting IG variants)', () => {
    it.each(['NP_000213.1:p.Asp816Val', 'p.(Asp816Val)', 'p.D816V'])('reads %s as KIT D816V', (hgvs) => {
      expect(factsFromFhir(inputs({ observations: [variant([{ code: 'HGNC:6342' }], true, hgvs)] })).molecular).toEqual({
        kitD816V: 'detected',
      });
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

    it('lists other KIT variants found as reported (the core reads the notation)', () => {
      const kit = [{ code: 'HGNC:6342', system: 'http://www.genenames.org' }];

      expect(factsFromFhir(inputs({ observations: [variant(kit, true, 'NP_000213.1:p.Phe522Cys')] })).molecular).toEqual({
        kitOtherMutations: ['p.Phe522Cys'],
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
      expect(factsFromFhir(inputs({ conditions: read([condition(code)]) })).diagnosis).toEqual({ smSubtype: subtype });
    });

    it('leaves the subtype unknown for D47.02, which names none, and for two subtypes at once', () => {
      expect(factsFromFhir(inputs({ conditions: read([condition('D47.02')]) })).diagnosis).toBeUndefined();
      expect(factsFromFhir(inputs({ conditions: read([condition('C96.21'), condition('C94.30')]) })).diagnosis).toBeUndefined();
    });

    it('ignores a resolved condition', () => {
      expect(factsFromFhir(inputs({ conditions: read([condition('C96.21', 'resolved')]) })).diagnosis).toBeUndefined();
    });

    it('lists the drugs taken now by the generic name of their RxNorm ingredient code, or by their name, imatinib and stopped ones aside', () => {
      const requests = [
        medicationRequest({ code: '9384' }, [], 'active', 'a'),
        medicationRequest({ text: "St. John's Wort 300 mg" }, [], 'active', 'b'),
        medicationRequest({ code: '2002', text: 'carbamazepine' }, [], 'stopped', 'c'),
        medicationRequest({ code: '403879' }, [], 'active', 'd'),
      ];

      const facts = factsFromFhir(
        inputs({
          medicationRequests: read(requests),
          medicationStatements: read([statement('levothyroxine 100 mcg', '2020-01-01')]),
        }),
      );

      expect(facts.medications).toEqual({
        active: ["St. John's Wort 300 mg", 'levothyroxine', 'levothyroxine 100 mcg', 'rifampin', "st john's wort"],
        unidentified: [],
      });
    });

    it("counts the drugs of the call's other draft orders as taken with imatinib, once the record's lists are known", () => {
      const drafted = [medicationRequest({ code: '2002', text: 'carbamazepine 200 mg tablet' }, [], 'draft', 'mr-2')];
      const known = {
        medicationRequests: read([medicationRequest({ code: '10582' }, [], 'active', 'a')]),
        medicationStatements: read([]),
      };

      expect(factsFromFhir(inputs({ ...known, otherDraftOrders: drafted })).medications).toEqual({
        active: ['carbamazepine', 'carbamazepine 200 mg tablet', 'levothyroxine'],
        unidentified: [],
      });
      // An unreadable record keeps the list unknown: the draft alone cannot say what else is taken.
      const unreadable = { medicationRequests: read([]), medicationStatements: { resources: [], unreadable: 1 } };
      expect(factsFromFhir(inputs({ ...unreadable, otherDraftOrders: drafted })).medications).toBeUndefined();
    });

    it('reports no drugs, rather than unknown, when the lists came back empty; unknown when one could not be read', () => {
      expect(factsFromFhir(inputs({ medicationRequests: read([]), medicationStatements: read([]) })).medications).toEqual({
        active: [],
        unidentified: [],
      });
      expect(
        factsFromFhir(inputs({ medicationRequests: read([]), medicationStatements: { resources: [], unreadable: 1 } }))
          .medications,
      ).toBeUndefined();
      expect(factsFromFhir(inputs({})).medications).toBeUndefined();
    });
  });

  describe('the treatment course', () => {
    it('builds it from the history: the start of the current order, the months since, and each endpoint before and since', () => {
      const now = new Date();
      const record = yearOnImatinibRecord(now);
      const requests = readResources<MedicationRequest>(record.medications, 'MedicationRequest');

      const facts = factsFromFhir({
        observations: ['labs', 'history', 'variants'].flatMap(
          (key) => readResources<Observation>(record[key], 'Observation').resources,
        ),
        medicationRequests: requests,
        medicationStatements: read([]),
        requestHistory: requests,
        statementHistory: read([]),
        order: requests.resources[0]!,
        otherDraftOrders: [],
        now,
      });

      expect(facts.treatmentCourse).toEqual(yearOnImatinibFacts.treatmentCourse);
      expect(facts.order).toEqual(yearOnImatinibFacts.order);
    });

    it('takes no baseline from before the window, and no current value in another unit than the baseline', () => {
      const now = new Date('2026-11-28T12:00:00Z');
      const history = [
        observation('21582-2', { valueQuantity: quantity(140, 'ng/mL') }, '2025-01-01'),
        observation('44340-8', { valueQuantity: quantity(320, 'ug/g{creat}') }, '2025-11-15'),
        observation('44340-8', { valueQuantity: quantity(1.8, 'umol/mol{creat}') }, '2026-11-20'),
      ];
      const active = medicationRequest({ code: '403879' }, dailyDosage(400), 'active', 'running');

      const course = factsFromFhir(
        inputs({ order: { ...active, authoredOn: '2025-11-28' }, observations: history, now, ...noOtherMedications }),
      ).treatmentCourse;

      expect(course).toEqual({ monthsOnImatinib: 12, current: { urinaryNMethylhistamine: 1.8 } });
    });

    it('takes a result drawn on the day therapy began, given as a date, as the baseline', () => {
      const now = new Date('2026-11-28T12:00:00Z');
      const history = [
        observation('21582-2', { valueQuantity: quantity(140, 'ng/mL') }, '2025-11-28T08:30:00Z'),
        observation('21582-2', { valueQuantity: quantity(60, 'ng/mL') }, '2026-11-20'),
      ];
      const active = medicationRequest({ code: '403879' }, dailyDosage(400), 'active', 'running');

      const course = (authoredOn: string) =>
        factsFromFhir(inputs({ order: { ...active, authoredOn }, observations: history, now, ...noOtherMedications }))
          .treatmentCourse;

      expect(course('2025-11-28')).toMatchObject({ baseline: { serumTryptaseNgMl: 140 }, current: { serumTryptaseNgMl: 60 } });
      // A start with a time is exact: a sample taken after it is on treatment, so not a baseline.
      expect(course('2025-11-28T07:00:00Z')).not.toHaveProperty('baseline');
    });

    it('pairs a tryptase baseline and current value given in ng/mL and ug/L, which are the same', () => {
      const now = new Date('2026-11-28T12:00:00Z');
      const history = [
        observation('21582-2', { valueQuantity: quantity(140, 'ug/L') }, '2025-11-20'),
        observation('21582-2', { valueQuantity: quantity(60, 'ng/mL') }, '2026-11-20'),
      ];
      const active = medicationRequest({ code: '403879' }, dailyDosage(400), 'active', 'running');

      const course = factsFromFhir(
        inputs({ order: { ...active, authoredOn: '2025-11-28' }, observations: history, now, ...noOtherMedications }),
      ).treatmentCourse;

      expect(course).toMatchObject({ baseline: { serumTryptaseNgMl: 140 }, current: { serumTryptaseNgMl: 60 } });
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
