import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { factsFromInputs, inputsFromFacts, type FormReading } from '../../console/src/form-values.js';
import { factForm, fieldsOf, type SchemaNode } from '../../console/src/schema-fields.js';
import type { PatientFacts } from '../../functions/core/index.js';

const fields = fieldsOf(factForm(schema as SchemaNode));

/**
 * `facts` put into the review console's form, as opening a case does, and read back out of it, as
 * the console reads the form before each answer; with what the form could not show.
 */
export function throughTheForm(facts: PatientFacts): { unshown: string[]; readBack: FormReading } {
  const { inputs, givenEmpty, unshown } = inputsFromFacts(fields, facts);
  return { unshown, readBack: factsFromInputs(fields, inputs, givenEmpty) };
}
