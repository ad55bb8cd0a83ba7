import type { CodeableConcept, FhirResource } from 'fhir/r4';
import { describeSchemaErrors, isObject, type FieldProblem } from '../../core/index.js';
import * as readable from './generated/validate-fhir-read-subset.cjs';
import { SYSTEM_BY_OID } from './codes.js';
import { lookup } from './lookup.js';

/**
 * Reading FHIR R4 resources safely: only resources whose read elements have the types FHIR gives
 * them (schemas/fhir-read-subset.schema.json) are read; the others are counted, never misread.
 */

export type ReadResourceType =
  'MedicationRequest' | 'MedicationStatement' | 'Medication' | 'Observation' | 'Patient' | 'Condition';

const readers: Readonly<Record<ReadResourceType | 'DraftMedicationRequest', typeof readable.Observation>> = {
  MedicationRequest: readable.MedicationRequest,
  DraftMedicationRequest: readable.DraftMedicationRequest,
  MedicationStatement: readable.MedicationStatement,
  Medication: readable.Medication,
  Observation: readable.Observation,
  Patient: readable.Patient,
  Condition: readable.Condition,
};

/** The resources of a Bundle (or a single resource), of every type, as plain objects. */
function entriesOf(value: unknown): Record<string, unknown>[] {
  if (!isObject(value)) return [];
  if (value.resourceType !== 'Bundle') return [value];
  return (Array.isArray(value.entry) ? value.entry : []).map((e) => (isObject(e) ? e.resource : undefined)).filter(isObject);
}

/**
 * The resources of one type in a Bundle (or a single resource), split into those this mapping can
 * read and a count of those it cannot, which are never misread: what they would have said is unknown.
 */
export function readResources<T extends FhirResource>(
  value: unknown,
  resourceType: T['resourceType'] & ReadResourceType,
): { resources: T[]; unreadable: number } {
  const ofType = entriesOf(value).filter((r) => r.resourceType === resourceType);
  const resources = ofType.filter((r) => readers[resourceType](r)) as unknown as T[];
  return { resources, unreadable: ofType.length - resources.length };
}

/** The readable resources of one type (readResources), when the unreadable ones need no special care. */
export function resourcesOf<T extends FhirResource>(value: unknown, resourceType: T['resourceType'] & ReadResourceType): T[] {
  return readResources<T>(value, resourceType).resources;
}

/** Why a resource cannot be read, as field problems under `at` (for a draft order the EHR sent). */
export function unreadable(
  resource: unknown,
  resourceType: ReadResourceType | 'DraftMedicationRequest',
  at: string,
): FieldProblem[] {
  const validate = readers[resourceType];
  if (validate(resource)) return [];
  return describeSchemaErrors(validate.errors ?? [], resource).map((problem) => ({
    ...problem,
    path: problem.path.replace(/^\$/, at),
  }));
}

export const codings = (concept: CodeableConcept | undefined) => concept?.coding ?? [];

/** A code system's URI, whether a coding names it by URI or by its OID (`urn:oid:2.16.840.1.113883.6.1` is LOINC). */
export const systemOf = (system: string | undefined): string | undefined => lookup(SYSTEM_BY_OID, system) ?? system;

/** The codes of `system` (by URI or OID) among every coding of a concept. */
export const codesOf = (concept: CodeableConcept | undefined, system: string): string[] =>
  codings(concept)
    .filter((c) => c.code !== undefined && systemOf(c.system) === system)
    .map((c) => c.code!);

/** Whether any coding of the concept, not only the first, has one of `codes` under `system` (URI or OID). */
export function hasCode(concept: CodeableConcept | undefined, system: string, codes: readonly string[]): boolean {
  return codesOf(concept, system).some((code) => codes.includes(code));
}

/** The first code of `system` (URI or OID) that `table` knows, and what the table says of it. */
export function lookupCode<V>(
  concept: CodeableConcept | undefined,
  system: string,
  table: Readonly<Record<string, V>>,
): V | undefined {
  for (const coding of codings(concept)) {
    if (systemOf(coding.system) !== system) continue;
    const found = lookup(table, coding.code);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Every name a concept carries (text and codings' displays), lower-cased. */
export function namesOf(concept: CodeableConcept | undefined): string[] {
  return [concept?.text, ...codings(concept).map((c) => c.display)].filter((s): s is string => !!s).map((s) => s.toLowerCase());
}

export const mentions = (concept: CodeableConcept | undefined, word: string) => namesOf(concept).some((n) => n.includes(word));

/** A FHIR date or dateTime as epoch milliseconds, or undefined when it is not one. */
export function timeOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{4}(-\d{2}(-\d{2})?)?/.test(value)) return undefined;
  const parsed = Date.parse(value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
