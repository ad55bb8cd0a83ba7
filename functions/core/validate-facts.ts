import type { ErrorObject } from 'ajv';
import validatePatientFacts from './generated/validate-patient-facts.cjs';
import { readDottedPath } from './fact-paths.js';
import { isObject } from './json-values.js';
import type { PatientFacts } from './types.js';
import { memberNamed, type ValueSet } from './value-sets.js';

/**
 * Validation of PatientFacts against schemas/patient-facts.schema.json, compiled ahead of time by
 * `npm run generate`. Problems name the field and what was expected; what was found is described
 * by its kind only, never echoed, so no patient value reaches an error body or a log.
 */

/** One offending field of a request: where, what was expected, and what kind of value was found. */
export interface FieldProblem {
  /** JSONPath of the offending field, e.g. `$.molecular.kitD816v`. */
  path: string;
  expected: string;
  found: string;
}

/** @deprecated The name of FieldProblem in v1 of the embedding API. */
export type FactProblem = FieldProblem;

export class InvalidPatientFactsError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(`Invalid patient facts: ${problems.map((p) => `${p.path} (expected ${p.expected})`).join('; ')}`);
    this.name = 'InvalidPatientFactsError';
  }
}

const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

const SAFE_KEY = /^[A-Za-z0-9_$-]{1,64}$/;

/** A JSONPath segment for a key; keys outside the safe pattern are not echoed. */
function pathSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return SAFE_KEY.test(key) ? `.${key}` : '["(unrecognised key)"]';
}

/** Describes a value by its kind ("a string", "an array of 3 items"), never by its content. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a non-finite number';
  return withArticle(typeof value);
}

function pointerToPath(pointer: string): string {
  if (pointer === '') return '$';
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return `$${segments.map((s) => pathSegment(/^\d+$/.test(s) ? Number(s) : s)).join('')}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const MAX_FINITE = Number.MAX_VALUE;

function expectation(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      // Ajv's number type already excludes NaN and the infinities.
      return p.type === 'number' ? 'a finite number' : withArticle(String(p.type));
    case 'enum':
      return `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return JSON.stringify(p.allowedValue);
    case 'minimum':
      return `a number >= ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `a number > ${String(p.limit)}`;
    case 'maximum':
      return p.limit === MAX_FINITE ? 'a finite number' : `a number <= ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `a number < ${String(p.limit)}`;
    case 'minLength':
      return `a string of at least ${String(p.limit)} character(s)`;
    case 'maxLength':
      return `a string of at most ${String(p.limit)} characters`;
    case 'maxItems':
      return `at most ${String(p.limit)} items`;
    case 'minItems':
      return `at least ${String(p.limit)} item(s)`;
    case 'maxProperties':
      return `at most ${String(p.limit)} members`;
    case 'pattern':
      return `a string of the form ${String(p.pattern)}`;
    default:
      return `a value that satisfies "${error.keyword}"`;
  }
}

/** Turns Ajv errors into one problem per offending field, in a stable order. */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): FieldProblem[] {
  const problems = new Map<string, FieldProblem>();
  for (const error of errors) {
    // An `if`/`then` failure is always reported again by the keyword inside `then`, at its field.
    if (error.keyword === 'if') continue;
    const p = error.params as Record<string, unknown>;
    let problem: FieldProblem;
    if (error.keyword === 'additionalProperties') {
      const key = String(p.additionalProperty);
      problem = {
        path: pointerToPath(error.instancePath) + pathSegment(key),
        expected: 'no such field (unknown key; check its spelling against the contract)',
        found: kindOf(valueAt(data, `${error.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)),
      };
    } else if (error.keyword === 'required') {
      problem = {
        path: pointerToPath(error.instancePath) + pathSegment(String(p.missingProperty)),
        expected: 'a value (required)',
        found: 'nothing',
      };
    } else {
      problem = {
        path: pointerToPath(error.instancePath),
        expected: expectation(error),
        found: kindOf(valueAt(data, error.instancePath)),
      };
    }
    if (!problems.has(problem.path)) problems.set(problem.path, problem);
  }
  return [...problems.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `order.drug` compared in any case (facts.md v2): the schema lists the names in lower case. */
function withDrugInLowerCase(data: unknown): unknown {
  if (!isObject(data) || !isObject(data.order) || typeof data.order.drug !== 'string') return data;
  const drug = data.order.drug.toLowerCase();
  return drug === data.order.drug ? data : { ...data, order: { ...data.order, drug } };
}

/**
 * Entries of a list fact that a value set of the knowledge base `validates` (the deprecated
 * `medications.strongCyp3a4Inducers`: facts.md v2) and that name no member of those sets.
 */
function valueSetProblems(facts: PatientFacts, valueSets: Readonly<Record<string, ValueSet>>): FieldProblem[] {
  const setsByFact = new Map<string, [string, ValueSet][]>();
  for (const [name, set] of Object.entries(valueSets)) {
    if (set.validates !== undefined) setsByFact.set(set.validates, [...(setsByFact.get(set.validates) ?? []), [name, set]]);
  }
  return [...setsByFact].flatMap(([fact, sets]) => {
    const list = readDottedPath(facts, fact);
    if (!Array.isArray(list)) return [];
    const names = sets.map(([name]) => name).join(' or ');
    return list.flatMap((entry: string, i) =>
      sets.some(([, set]) => memberNamed(set, entry) !== undefined)
        ? []
        : [
            {
              path: `$.${fact}${pathSegment(i)}`,
              expected: `a member of the value set ${names} (docs/rules.md)`,
              found: kindOf(entry),
            },
          ],
    );
  });
}

/**
 * Returns the facts typed, or throws InvalidPatientFactsError naming every offending field: those
 * the schema refuses and, once it accepts them, list entries outside the value sets that validate them.
 */
export function assertPatientFacts(data: unknown, valueSets: Readonly<Record<string, ValueSet>> = {}): PatientFacts {
  const candidate = withDrugInLowerCase(data);
  if (!validatePatientFacts(candidate))
    throw new InvalidPatientFactsError(describeErrors(validatePatientFacts.errors ?? [], data));
  const problems = valueSetProblems(candidate as PatientFacts, valueSets);
  if (problems.length > 0) throw new InvalidPatientFactsError(problems);
  return candidate as PatientFacts;
}
