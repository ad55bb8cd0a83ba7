import { createRequire } from 'node:module';
import type { Condition, MedicationRequest, MedicationStatement, Observation } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { settledValue } from '../../../functions/adapters/fhir/comparators.js';
import { factsFromFhir, type FhirInputs } from '../../../functions/adapters/fhir/fhir-to-facts.js';
import { imatinibCourse } from '../../../functions/adapters/fhir/imatinib-history.js';
import { medicationCatalogue, medicationLists, withinLength } from '../../../functions/adapters/fhir/medication-names.js';
import { ucumOf, unitFactor } from '../../../functions/adapters/fhir/units.js';
import factors from '../../../functions/adapters/fhir/generated/unit-factors.json' with { type: 'json' };
import type { ValueSet } from '../../../functions/core/index.js';
import { dailyDosage, medicationRequest, observation, quantity, subject, variant } from '../../support/fhir.js';

/** What EHRs really send (facts.md, From FHIR v3), one reading rule at a time; whole charts: real-charts.test.ts. */

const NOW = new Date('2026-11-28T12:00:00Z');
const read = <T>(resources: T[]) => ({ resources, unreadable: 0 });
const order = medicationRequest({ code: '403879' }, dailyDosage(400));
const inputs = (extra: Partial<FhirInputs>): FhirInputs => ({ order, otherDraftOrders: [], now: NOW, ...extra });
const noOtherMedications = {
  medicationRequests: read([]),
  medicationStatements: read([]),
  requestHistory: read([]),
  statementHistory: read([]),
};
const facts = (observations: Observation[], extra: Partial<FhirInputs> = {}) => factsFromFhir(inputs({ observations, ...extra }));
const LOINC_OID = 'urn:oid:2.16.840.1.113883.6.1';

describe('units', () => {
  it('takes every factor from the UCUM library, none written by hand', () => {
    const { UcumLhcUtils } = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as {
      UcumLhcUtils: { getInstance(): { convertUnitTo(f: string, v: number, t: string): { toVal: number } } };
    };
    const ucum = UcumLhcUtils.getInstance();
    const pairs = Object.entries(factors as Record<string, Record<string, number>>).flatMap(([from, row]) =>
      Object.entries(row).map(([to, factor]) => [from, to, factor] as const),
    );

    expect(pairs.length).toBeGreaterThan(50);
    for (const [from, to, factor] of pairs) expect(factor).toBeCloseTo(ucum.convertUnitTo(from, 1, to).toVal, 9);
  });

  it.each([
    ['K/uL', '10*3/uL'],
    ['x10E3/uL', '10*3/uL'],
    ['10^3/uL', '10^3/uL'],
    ['k/µL', '10*3/uL'],
    ['10E9/L', '10*9/L'],
    ['cells/uL', '{cells}/uL'],
    ['mcg/L', 'ug/L'],
    ['MG/DL', 'mg/dL'],
  ])('reads the unit text %s as UCUM %s', (unit, code) => {
    expect(ucumOf({ unit })).toBe(code);
  });

  it('never converts a mass into an amount of substance (bilirubin in umol/L needs a molar mass)', () => {
    expect(unitFactor('umol/L', 'mg/dL')).toBeUndefined();
  });

  it.each([
    ['x10E3/uL', 1.2, 1200],
    ['K/uL', 45, 45000],
    ['10^9/L', 0.5, 500],
    ['cells/uL', 350, 350],
  ])('converts a count sent in %s', (unit, value, expected) => {
    expect(facts([observation('751-8', { valueQuantity: { value, unit } })]).labs?.neutrophilsPerMicroliter).toBe(expected);
  });

  it('takes a range bound without a unit in the value unit, and a range in another unit of the same kind converted', () => {
    const alt = observation('1742-6', { valueQuantity: quantity(80, 'U/L'), referenceRange: [{ high: { value: 40 } }] });
    const bilirubin = observation('1975-2', {
      valueQuantity: quantity(24, 'mg/L'),
      referenceRange: [{ high: quantity(1.2, 'mg/dL') }],
    });

    expect(facts([alt, bilirubin]).labs).toEqual({ altTimesUln: 2, bilirubinTimesUln: 2 });
  });

  it('does not read a range given only as text', () => {
    const troponin = observation('6598-7', { valueQuantity: quantity(0.2, 'ng/mL'), referenceRange: [{ text: '< 0.04' }] });

    expect(facts([troponin]).cardiac).toBeUndefined();
  });
});

describe('comparators', () => {
  it.each([
    [
      'neutrophils < 500 are below every threshold the rules set',
      'labs.neutrophilsPerMicroliter',
      { value: 500, comparator: '<' as const },
      500,
    ],
    [
      'neutrophils < 1500 may be above 1000',
      'labs.neutrophilsPerMicroliter',
      { value: 1500, comparator: '<' as const },
      undefined,
    ],
    ['neutrophils <= 1000 may be 1000', 'labs.neutrophilsPerMicroliter', { value: 1000, comparator: '<=' as const }, undefined],
    ['eosinophils > 1500 are at least 1500', 'labs.eosinophilsPerMicroliter', { value: 1500, comparator: '>' as const }, 1500],
    ['a clearance > 60 is in no renal class', 'patient.creatinineClearanceMlMin', { value: 60, comparator: '>' as const }, 60],
    ['a clearance < 30 may be below 20', 'patient.creatinineClearanceMlMin', { value: 30, comparator: '<' as const }, undefined],
  ])('%s', (_what, fact, reading, expected) => {
    expect(settledValue(reading, fact)).toBe(expected);
  });

  it('never takes a bounded result for a baseline or a current value', () => {
    const active = { ...order, status: 'active' as const, authoredOn: '2025-11-01' };
    const history = [
      observation('21582-2', { valueQuantity: { ...quantity(200, 'ng/mL'), comparator: '>' } }, '2025-10-20'),
      observation('21582-2', { valueQuantity: { ...quantity(1, 'ng/mL'), comparator: '<' } }, '2026-11-20'),
    ];

    expect(factsFromFhir(inputs({ order: active, observations: history, ...noOtherMedications })).treatmentCourse).toEqual({
      monthsOnImatinib: 12.8,
    });
  });

  it('reads a troponin below its range from a bound under the limit', () => {
    const troponin = observation('6598-7', {
      valueQuantity: { ...quantity(0.01, 'ng/mL'), comparator: '<' },
      referenceRange: [{ high: quantity(0.04, 'ng/mL') }],
    });

    expect(facts([troponin]).cardiac).toEqual({ troponin: 'normal' });
  });
});

describe('terminology breadth', () => {
  const condition = (
    code: string,
    clinical: string,
    verification?: string,
    system = 'http://hl7.org/fhir/sid/icd-10-cm',
  ): Condition => ({
    resourceType: 'Condition',
    subject,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinical }] },
    ...(verification
      ? {
          verificationStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: verification }],
          },
        }
      : {}),
    code: { coding: [{ system, code }] },
  });

  it('reads a code under its OID, and in any coding of the concept', () => {
    const tryptase = observation('21582-2', { valueQuantity: quantity(30, 'ng/mL') });
    tryptase.code = {
      coding: [
        { system: 'urn:local', code: 'TRYP' },
        { system: LOINC_OID, code: '21582-2' },
      ],
    };

    expect(facts([tryptase]).labs).toEqual({ serumTryptaseNgMl: 30 });
  });

  it.each([
    ['http://snomed.info/sct', '77386006', true],
    ['urn:oid:2.16.840.1.113883.6.96', '77386006', true],
    ['http://snomed.info/sct', '60001007', false],
  ])('reads pregnancy status answered in SNOMED CT (%s %s)', (system, code, pregnant) => {
    const status = observation('82810-3', { valueCodeableConcept: { coding: [{ system, code }] } });

    expect(facts([status]).patient?.pregnant).toBe(pregnant);
  });

  it('takes a pregnancy on the problem list over a "not pregnant" answer: a recorded pregnancy is never hidden', () => {
    const notPregnant = observation('82810-3', {
      valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA26683-5' }] },
    });
    const pregnancy = condition('77386006', 'active', undefined, 'http://snomed.info/sct');

    expect(facts([notPregnant], { conditions: read([pregnancy]) }).patient?.pregnant).toBe(true);
  });

  it('does not use a refuted or mistaken diagnosis, and counts a relapse as active', () => {
    expect(factsFromFhir(inputs({ conditions: read([condition('C96.21', 'active', 'refuted')]) })).diagnosis).toBeUndefined();
    expect(
      factsFromFhir(inputs({ conditions: read([condition('C96.21', 'active', 'entered-in-error')]) })).diagnosis,
    ).toBeUndefined();
    expect(factsFromFhir(inputs({ conditions: read([condition('C94.30', 'relapse')]) })).diagnosis).toEqual({ smSubtype: 'MCL' });
  });
});

describe('the imatinib history', () => {
  const request = (id: string, status: MedicationRequest['status'], authoredOn: string, prior?: string): MedicationRequest => ({
    ...medicationRequest({ code: '403879' }, dailyDosage(400), status, id),
    authoredOn,
    ...(prior ? { priorPrescription: { reference: `MedicationRequest/${prior}` } } : {}),
  });
  const statement = (status: MedicationStatement['status'], start: string, end?: string): MedicationStatement => ({
    resourceType: 'MedicationStatement',
    id: `ms-${start}`,
    status,
    subject,
    medicationCodeableConcept: { text: 'imatinib 400 mg' },
    effectivePeriod: { start, ...(end ? { end } : {}) },
  });
  const course = (uses: (MedicationRequest | MedicationStatement)[], checked: MedicationRequest, complete = true) =>
    imatinibCourse({ uses, medications: [], complete, order: checked });

  it('follows a renewal back to the first order of the course', () => {
    const renewal = request('renewal', 'active', '2026-09-26', 'original');

    const found = course([request('original', 'completed', '2026-03-30'), renewal], renewal);

    expect(found).toMatchObject({ start: { at: Date.parse('2026-03-30') }, settled: true, imatinibBefore: false });
  });

  it('leaves the start unsettled when the renewal names an order the record does not hold', () => {
    const renewal = request('renewal', 'active', '2026-09-26', 'older');

    expect(course([renewal], renewal)).toMatchObject({ settled: false });
  });

  it('counts a held order as imatinib taken before, and restarts after it', () => {
    const draft = request('draft', 'draft', '2026-11-28');

    expect(course([request('held', 'on-hold', '2025-09-30')], draft)).toEqual({ settled: false, imatinibBefore: true });
  });

  it('says imatinib was not taken before only when the history was read whole', () => {
    const draft = request('draft', 'draft', '2026-11-28');

    expect(course([], draft)).toEqual({ settled: false, imatinibBefore: false });
    expect(course([], draft, false)).toEqual({ settled: false });
  });

  it('settles a restart after an earlier course known to have ended, and takes a baseline only after that end', () => {
    const active = request('now', 'active', '2026-06-01');

    const found = course([statement('completed', '2024-01-01', '2025-12-31'), active], active);

    expect(found).toMatchObject({ settled: true, baselineAfter: Date.parse('2025-12-31'), imatinibBefore: true });
  });

  it('does not settle a course that an earlier order of unknown end may have run into', () => {
    const active = request('now', 'active', '2026-06-01');

    expect(course([request('before', 'completed', '2025-01-01'), active], active)).toMatchObject({
      settled: false,
      imatinibBefore: true,
    });
  });
});

describe('medications the knowledge base cannot identify', () => {
  const listOf = (uses: MedicationRequest[]) => [{ uses, unreadable: 0 }];
  const uses = (...texts: string[]) => listOf(texts.map((text, i) => medicationRequest({ text }, [], 'active', `m${i}`)));

  it('lists the names that match no value-set member, and never an identified one', () => {
    expect(medicationLists(uses('rifampine 600', 'rifampin 300 mg capsule', 'Herbal sleep tea'))).toEqual({
      active: ['Herbal sleep tea', 'rifampin', 'rifampin 300 mg capsule', 'rifampine 600'],
      unidentified: ['Herbal sleep tea', 'rifampine 600'],
    });
  });

  it('takes a medication coded in RxNorm as identified, though it is in no value set (prednisone)', () => {
    const coded = listOf([medicationRequest({ code: '8640' }, [], 'active', 'a')]);

    expect(medicationLists(coded).unidentified).toEqual([]);
  });

  it('identifies a brand or an RxNorm code as soon as a value-set member carries it', () => {
    const fixture: Record<string, ValueSet> = {
      inhibitors: {
        title: 'fixture',
        sources: [],
        members: [{ name: 'clarithromycin', brands: ['Biaxin'], rxnorm: '21212' } as ValueSet['members'][number]],
      },
    };
    const catalogue = medicationCatalogue(fixture);

    expect(catalogue.identify({ text: 'Biaxin XL 500 mg' })).toEqual({
      generics: ['clarithromycin'],
      identified: true,
      name: 'Biaxin XL 500 mg',
    });
    expect(catalogue.identify({ coding: [{ system: 'urn:oid:2.16.840.1.113883.6.88', code: '21212' }] }).generics).toEqual([
      'clarithromycin',
    ]);
  });

  it('keeps every name that identifies a member past the bound of 100, and the unidentified list within it', () => {
    const many = [...Array.from({ length: 299 }, (_, i) => `Compounded preparation ${i}`), 'rifampin 300 mg'];

    const { active, unidentified } = medicationLists(uses(...many));

    expect(active).toHaveLength(100);
    expect(active).toEqual(expect.arrayContaining(['rifampin', 'rifampin 300 mg']));
    expect(unidentified).toHaveLength(100);
  });

  it('cuts a long name at a whole word, so the cut never makes a new word', () => {
    const name = `${'a'.repeat(195)} rifampinol`;

    expect(withinLength(name, 200)).toBe(`${'a'.repeat(195)}\u2026`);
    expect(withinLength('short', 200)).toBe('short');
  });
});

describe('KIT variants past the contract bound', () => {
  it('leaves the other variants unknown, and does not trust a D816V "not detected", when they cannot all be passed on', () => {
    const kit = [{ code: 'HGNC:6342' }];
    const many = Array.from({ length: 51 }, (_, i) => variant(kit, true, `p.Leu${100 + i}Pro`));

    const molecular = facts([...many, variant(kit, false, 'p.Asp816Val')]).molecular;

    expect(molecular).toBeUndefined();
  });
});
