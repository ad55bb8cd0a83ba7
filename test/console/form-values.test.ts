import { describe, expect, it } from 'vitest';
import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { factPathOf, factsFromInputs, inputsFromFacts, type FieldInput } from '../../console/src/form-values.js';
import { factForm, fieldsOf, type SchemaNode } from '../../console/src/schema-fields.js';
import type { PatientFacts } from '../../functions/core/index.js';
import { sampleScenarios } from '../../scripts/build/console-data.js';
import { readCaseFiles } from '../../scripts/knowledge-base/check-cases.js';
import { RULES_DIR } from '../../scripts/knowledge-base/rule-files.js';

/** Between the console's form and PatientFacts. */

const fields = fieldsOf(factForm(schema as SchemaNode));
const read = (inputs: Record<string, FieldInput>) => factsFromInputs(fields, new Map(Object.entries(inputs)));

const everyCase = [...readCaseFiles(RULES_DIR)].flatMap(([rule, file]) =>
  file.cases.map((c) => [`${rule}: ${c.name}`, c.facts as PatientFacts] as const),
);
const everyScenario = sampleScenarios().map((s) => [`scenario ${s.name}`, s.facts] as const);

describe('the facts form and PatientFacts', () => {
  it.each([...everyCase, ...everyScenario])('shows %s in the form and reads it back unchanged', (_name, facts) => {
    const { inputs, unshown } = inputsFromFacts(fields, facts);

    expect(unshown).toEqual([]);
    expect(factsFromInputs(fields, inputs)).toEqual({ facts, problems: [] });
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

  it('says which values no field can show, such as an empty section', () => {
    expect(inputsFromFacts(fields, { treatmentCourse: {} } as PatientFacts).unshown).toEqual(['treatmentCourse']);
  });

  it('names the form field of a JSONPath the core reports', () => {
    expect(factPathOf('$.order.drug')).toBe('order.drug');
    expect(factPathOf('$.medications.strongCyp3a4Inducers[2]')).toBe('medications.strongCyp3a4Inducers');
    expect(factPathOf('patient.ageYears')).toBe('patient.ageYears');
  });
});
