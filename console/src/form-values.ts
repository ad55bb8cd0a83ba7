import type { FieldProblem, PatientFacts } from '../../functions/core/index.js';
import type { FactField } from './schema-fields.js';

/**
 * Between the form's inputs and PatientFacts, both ways. An empty input is "not known" and leaves
 * its fact out, as the contract reads an absent field; a group is sent when any of its fields is
 * filled, or when it is ticked "given" (an empty section). Lists are one entry per line, with
 * "none" (an empty list) apart from "not known".
 *
 * An empty section (`{"labs": {}}`) is kept as written, not dropped: the form reads every case
 * back to the very facts it was given (docs/writing-rules.md, "Empty sections in the console").
 * It is kept because it can mean something: the core reads `{"treatmentCourse": {}}` as a course
 * whose measures are not known (the response rules undecided), and no treatment course at all as
 * no course (they do not apply): dropping it would change the answer, so comparing answers instead
 * of facts would not have allowed it either.
 */

/** What one field of the form holds. */
export interface FieldInput {
  /** The text of the input, or the value chosen (`yes` / `no` for a boolean; '' = not known). */
  text: string;
  /** For a list: the "none" box is ticked, so the list is known to be empty. */
  none?: boolean;
  /** The browser could not read the input as what it asks for (text in a number input). */
  unreadable?: boolean;
}

export type FormInputs = ReadonlyMap<string, FieldInput>;

/** The dotted paths of the groups ticked "given" though none of their fields is filled: empty sections. */
export type GivenEmpty = ReadonlySet<string>;

export interface FormReading {
  facts: PatientFacts;
  /** Inputs that cannot become a fact, named as the core names the fields it refuses. */
  problems: FieldProblem[];
}

const YES = 'yes';
const NO = 'no';

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** One list entry per line; blank lines are not entries. */
function listEntries(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The value of one field, `undefined` when it is not known; or the problem that stops it being read. */
function valueOf(field: FactField, input: FieldInput | undefined): { value?: unknown; problem?: FieldProblem } {
  if (input === undefined) return {};
  const where = `$.${field.path}`;
  if (input.unreadable) return { problem: { path: where, expected: 'a finite number', found: 'text that is not a number' } };
  switch (field.kind) {
    case 'list': {
      if (input.none) return { value: [] };
      const entries = listEntries(input.text);
      return entries.length > 0 ? { value: entries } : {};
    }
    case 'number': {
      if (input.text.trim() === '') return {};
      const value = Number(input.text);
      return Number.isFinite(value)
        ? { value }
        : { problem: { path: where, expected: 'a finite number', found: 'text that is not a number' } };
    }
    case 'yes-no':
      return input.text === YES ? { value: true } : input.text === NO ? { value: false } : {};
    case 'choice':
      return input.text === '' ? {} : { value: input.text };
  }
}

/**
 * The PatientFacts the inputs say. Whether they are facts the service accepts (ranges, value sets,
 * a drug named in an order) is for the core to judge, as it judges a request; the problems here are
 * only the inputs that cannot be read at all.
 */
export function factsFromInputs(
  fields: readonly FactField[],
  inputs: FormInputs,
  givenEmpty: GivenEmpty = new Set(),
): FormReading {
  const facts: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const field of fields) {
    const { value, problem } = valueOf(field, inputs.get(field.path));
    if (problem) problems.push(problem);
    else if (value !== undefined) setPath(facts, field.path, value);
  }
  for (const section of givenEmpty) if (getPath(facts, section) === undefined) setPath(facts, section, {});
  return { facts: facts as PatientFacts, problems };
}

export interface FormFilling {
  inputs: Map<string, FieldInput>;
  /** The groups to tick "given": the empty sections of the facts. */
  givenEmpty: Set<string>;
  /** Dotted paths of values the form has no field for: a case that shows them would not be the case. */
  unshown: string[];
}

function inputFor(field: FactField, value: unknown): FieldInput | undefined {
  if (field.kind === 'list' && Array.isArray(value) && value.every((entry) => typeof entry === 'string'))
    return value.length === 0 ? { text: '', none: true } : { text: value.join('\n') };
  if (field.kind === 'number' && typeof value === 'number') return { text: String(value) };
  if (field.kind === 'yes-no' && typeof value === 'boolean') return { text: value ? YES : NO };
  if (field.kind === 'choice' && typeof value === 'string') return { text: value };
  return undefined;
}

/** The dotted path of every value in `value`; an empty section is one of them (it may say something). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return prefix === '' ? [] : [prefix];
  if (Object.keys(value).length === 0) return prefix === '' ? [] : [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
}

const isEmptySection = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

/**
 * The inputs that show `facts` (a rule's case, a sample scenario), and what of them no field can
 * show. A value outside a field's value set (`"Gleevec"` for `order.drug`) is shown as given: the
 * form offers it as a choice, and the core judges it, so the case stays exactly the case.
 */
export function inputsFromFacts(fields: readonly FactField[], facts: PatientFacts): FormFilling {
  const byPath = new Map(fields.map((field) => [field.path, field]));
  const isGroup = (path: string) => fields.some((field) => field.path.startsWith(`${path}.`));
  const inputs = new Map<string, FieldInput>();
  const givenEmpty = new Set<string>();
  const unshown: string[] = [];
  for (const path of leafPaths(facts)) {
    const value = getPath(facts, path);
    const field = byPath.get(path);
    const input = field === undefined ? undefined : inputFor(field, value);
    if (input !== undefined) inputs.set(path, input);
    else if (isEmptySection(value) && isGroup(path)) givenEmpty.add(path);
    else unshown.push(path);
  }
  return { inputs, givenEmpty, unshown };
}

/** The dotted path of a field the core names by JSONPath (`$.order.drug`, `$.medications.active[2]`). */
export function factPathOf(jsonPath: string): string {
  return jsonPath
    .replace(/^\$\.?/, '')
    .replace(/\[\d+\]/g, '')
    .replace(/\["[^"]*"\]/g, '');
}
