import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { factPathOf, factsFromInputs, inputsFromFacts, type FieldInput } from '../../console/src/form-values.js';
import { factForm, fieldsOf, type SchemaNode } from '../../console/src/schema-fields.js';
import type { PatientFacts } from '../../functions/core/index.js';
import { sampleScenarios } from '../../scripts/build/console-data.js';
import { readCaseFiles } from '../../scripts/knowledge-base/check-cases.js';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';
import { throughTheForm } from '../support/console-form.js';
import { patientFacts } from '../support/patient-facts-arbitrary.js';

/**
 * Between the console's form and PatientFacts: every case of every rule, whatever rules/ holds, and
 * every sample scenario, shows in the form and reads back as written, empty sections included.
 */

const fields = fieldsOf(factForm(schema as SchemaNode));
const read = (inputs: Record<string, FieldInput>) => factsFromInputs(fields, new Map(Object.entries(inputs)));

const everyCase = [...readCaseFiles(RULES_DIR)].flatMap(([rule, file]) =>
  file.cases.map((c) => [`${rule}: ${c.name}`, c.facts as PatientFacts] as const),
);
const everyScenario = sampleScenarios().map((s) => [`scenario ${s.name}`, s.facts] as const);

describe('the facts form and PatientFacts', () => {
  it.each([...everyCase, ...everyScenario])('shows %s in the form and reads it back unchanged', (_name, facts) => {
    const { unshown, readBack } = throughTheForm(facts);

    expect(unshown).toEqual([]);
    expect(readBack).toEqual({ facts, problems: [] });
  });

  it('reads 1,000 generated patients back unchanged, empty sections and lists included', () => {
    fc.assert(
      fc.property(patientFacts, (facts) => {
        expect(throughTheForm(facts)).toEqual({ unshown: [], readBack: { facts, problems: [] } });
      }),
      { seed: 4_711, numRuns: 1_000 },
    );
  });

  it('keeps an empty section as written, at any depth, ticked as given', () => {
    const facts = { labs: {}, treatmentCourse: { baseline: {} }, order: { drug: 'imatinib' } } as PatientFacts;

    const { givenEmpty } = inputsFromFacts(fields, facts);

    expect([...givenEmpty].sort()).toEqual(['labs', 'treatmentCourse.baseline']);
    expect(throughTheForm(facts).readBack.facts).toEqual(facts);
  });

  it('sends a group ticked as given only as empty: a filled field in it is sent as usual', () => {
    const given = new Set(['labs', 'patient']);

    const { facts } = factsFromInputs(fields, new Map([['patient.ageYears', { text: '40' }]]), given);

    expect(facts).toEqual({ labs: {}, patient: { ageYears: 40 } });
  });

  it('shows the fields of facts v3 and reads them back: imatinib taken before, medications not identified', () => {
    const facts: PatientFacts = { medications: { imatinibBefore: false, unidentified: ['rifampine 600', 'herbal tea'] } };

    const { inputs, unshown } = inputsFromFacts(fields, facts);

    expect(fields.find((f) => f.path === 'medications.imatinibBefore')?.kind).toBe('yes-no');
    expect(fields.find((f) => f.path === 'medications.unidentified')?.kind).toBe('list');
    expect(unshown).toEqual([]);
    expect(factsFromInputs(fields, inputs)).toEqual({ facts, problems: [] });
  });

  it('leaves an empty field out, so that "not known" is never taken as "no"', () => {
    expect(
      read({ 'patient.pregnant': { text: '' }, 'molecular.kitD816V': { text: '' }, 'patient.ageYears': { text: '' } }),
    ).toEqual({ facts: {}, problems: [] });
  });

  it('reads yes and no as booleans', () => {
    expect(read({ 'patient.pregnant': { text: 'no' }, 'order.startsTherapy': { text: 'yes' } }).facts).toEqual({
      patient: { pregnant: false },
      order: { startsTherapy: true },
    });
  });

  it('tells a list known to be empty from a list not known', () => {
    expect(read({ 'medications.active': { text: '', none: true } }).facts).toEqual({ medications: { active: [] } });
    expect(read({ 'medications.active': { text: '  \n ' } }).facts).toEqual({});
  });

  it('reads one list entry per line, trimmed', () => {
    expect(read({ 'medications.active': { text: ' rifampin \n\nwarfarin sodium' } }).facts).toEqual({
      medications: { active: ['rifampin', 'warfarin sodium'] },
    });
  });

  it('reports a number input the browser could not read at its field, instead of guessing a value', () => {
    const { facts, problems } = read({ 'labs.serumTryptaseNgMl': { text: '', unreadable: true } });

    expect(facts).toEqual({});
    expect(problems).toEqual([
      { path: '$.labs.serumTryptaseNgMl', expected: 'a finite number', found: 'text that is not a number' },
    ]);
  });

  it('shows a value outside a value set as given, for the core to judge', () => {
    const facts = { order: { drug: 'Gleevec' } };

    expect(inputsFromFacts(fields, facts).inputs.get('order.drug')).toEqual({ text: 'Gleevec' });
  });

  it('says which values no field can show', () => {
    const facts = { labs: { serumTryptaseNgMl: 'high' }, genome: {} } as unknown as PatientFacts;

    expect(inputsFromFacts(fields, facts).unshown).toEqual(['labs.serumTryptaseNgMl', 'genome']);
  });

  it('names the form field of a JSONPath the core reports', () => {
    expect(factPathOf('$.order.drug')).toBe('order.drug');
    expect(factPathOf('$.medications.strongCyp3a4Inducers[2]')).toBe('medications.strongCyp3a4Inducers');
    expect(factPathOf('patient.ageYears')).toBe('patient.ageYears');
  });
});
