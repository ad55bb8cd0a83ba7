import type { CodeableConcept, Medication, MedicationRequest } from 'fhir/r4';
import { knowledgeBaseValueSets, memberNamed, type ValueSet } from '../../core/index.js';
import { MEDICATION_STATUS, SYSTEM } from './codes.js';
import bounds from './generated/list-bounds.json' with { type: 'json' };
import { drugOf, isImatinibDrug, isPrednisoneDrug, type MedicationUse } from './medications.js';
import { codesOf, namesOf } from './resources.js';

/**
 * The drugs taken now, for `medications.active`, and those the knowledge base cannot identify, for
 * `medications.unidentified` (facts.md v3). A medication is identified by an RxNorm code (any: one
 * in no value set interacts with nothing the knowledge base knows), or by a name, synonym or brand
 * of a value-set member in its text or displays: the members' RxNorm ingredient codes and brands
 * come from the knowledge base's value sets (rules/knowledge-base.json), their one source.
 */

/** What the mapping could tell of one drug. */
export interface Identification {
  /** The generic names of the value-set members it is (by code, name, synonym or brand). */
  generics: string[];
  /** Whether the knowledge base can tell what it is (an RxNorm code, or a member's name). */
  identified: boolean;
  /** Its name as recorded: the concept's text, else the first display. */
  name?: string;
}

export interface MedicationCatalogue {
  identify(drug: CodeableConcept): Identification;
}

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** The catalogue of what the knowledge base knows, from its value sets: codes, names, synonyms and brands. */
export function medicationCatalogue(valueSets: Readonly<Record<string, ValueSet>> = knowledgeBaseValueSets): MedicationCatalogue {
  const sets = Object.values(valueSets);
  const byCode = new Map<string, string>();
  for (const set of sets)
    for (const member of set.members) for (const code of asList(member.rxnorm)) byCode.set(code, member.name);
  return {
    identify(drug) {
      const codes = codesOf(drug, SYSTEM.rxnorm);
      const names = namesOf(drug);
      const generics = new Set(codes.flatMap((code) => byCode.get(code) ?? []));
      for (const name of names)
        for (const set of sets) {
          const member = memberNamed(set, name);
          if (member) generics.add(member.name);
        }
      return {
        generics: [...generics],
        identified: codes.length > 0 || generics.size > 0 || isPrednisoneDrug(drug),
        name: drug.text ?? drug.coding?.find((c) => c.display)?.display,
      };
    },
  };
}

const defaultCatalogue = medicationCatalogue();

/** The name recorded for a medication whose drug has neither a name nor a code the mapping reads. */
export const UNNAMED_MEDICATION = 'a medication recorded without a name';

type ListBound = { maxItems: number; maxLength: number };
const BOUNDS = bounds as Readonly<Record<'medications.active' | 'medications.unidentified', ListBound>>;

/**
 * A name within `maxLength`: cut before the last whole word that fits, and marked with an ellipsis,
 * so that the cut never makes a new word (matching was done on the whole name already).
 */
export function withinLength(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const cut = name.slice(0, maxLength - 1);
  const lastBreak = cut.search(/[^\p{L}\p{N}][\p{L}\p{N}]*$/u);
  return `${(lastBreak > 0 ? cut.slice(0, lastBreak) : cut).trimEnd()}\u2026`;
}

/** A list of the record's lists, as read: `complete: false` when paging stopped before its end. */
export interface UseList {
  uses: readonly MedicationUse[];
  unreadable: number;
  complete?: boolean;
}

export interface MedicationLists {
  active?: string[];
  unidentified?: string[];
}

/**
 * `medications.active` and `medications.unidentified` from the record's lists of uses (requests,
 * statements) and the call's other draft orders (ordered with imatinib, so taken with it), imatinib
 * aside. Both are unknown unless every list was read whole. Past the contract's bound of names,
 * `active` keeps every name that identifies a value-set member (the only names a rule reads), so no
 * rule's answer changes; `unidentified` keeps the first names (it is not empty either way).
 */
export function medicationLists(
  lists: readonly UseList[],
  medications: readonly Medication[] = [],
  drafted: readonly MedicationRequest[] = [],
  catalogue: MedicationCatalogue = defaultCatalogue,
): MedicationLists {
  if (lists.some((list) => list.unreadable > 0 || list.complete === false)) return {};
  const takenNow = lists.flatMap((list) => list.uses).filter((use) => MEDICATION_STATUS.takenNow.includes(use.status ?? ''));
  const generics = new Set<string>();
  const namedMembers: string[] = [];
  const otherNames: string[] = [];
  const unidentified: string[] = [];
  for (const use of [...takenNow, ...drafted]) {
    const drug = drugOf(use, medications);
    if (drug !== undefined && isImatinibDrug(drug)) continue;
    const { generics: found, identified, name } = drug ? catalogue.identify(drug) : { generics: [], identified: false };
    found.forEach((generic) => generics.add(generic));
    if (name !== undefined) (found.length > 0 ? namedMembers : otherNames).push(name);
    if (!identified) unidentified.push(name ?? UNNAMED_MEDICATION);
  }
  const active = BOUNDS['medications.active'];
  if (generics.size > active.maxItems) return { unidentified: bounded(unidentified, BOUNDS['medications.unidentified']).sort() };
  return {
    active: bounded([...generics, ...namedMembers, ...otherNames], active).sort(),
    unidentified: bounded(unidentified, BOUNDS['medications.unidentified']).sort(),
  };
}

/** The distinct names in order, each within the length bound, at most `maxItems` of them. */
function bounded(names: readonly string[], { maxItems, maxLength }: ListBound): string[] {
  return [...new Set(names.map((name) => withinLength(name, maxLength)))].slice(0, maxItems);
}
