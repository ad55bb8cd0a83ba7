import { lookup } from '../fhir/lookup.js';
import titles from './generated/fact-titles.json' with { type: 'json' };

/**
 * Plain names of the facts of PatientFacts, for the card that lists what is not on record: the
 * `title` each field has in schemas/patient-facts.schema.json, written out by `npm run generate`,
 * so a fact added to the contract is named with no change here.
 */
export function factLabel(path: string): string {
  return lookup(titles as Record<string, string>, path) ?? path;
}
