/**
 * The facts form, read off schemas/patient-facts.schema.json: one field per leaf of PatientFacts,
 * grouped as the schema nests them, labelled by each property's `title` and explained by its
 * `description`. A field added to the schema appears in the form with no change here.
 */

/** The parts of a JSON Schema node of the PatientFacts schema that the form reads. */
export interface SchemaNode {
  title?: string;
  description?: string;
  type?: string;
  enum?: readonly string[];
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  required?: readonly string[];
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  deprecated?: boolean;
  $defs?: Record<string, SchemaNode>;
}

/**
 * - `number`: a number input;
 * - `choice`: one of a value set (the schema's `enum`);
 * - `yes-no`: a boolean, offered as yes / no, because a checkbox cannot say "not known";
 * - `list`: a list of strings, one per line, where "none" (an empty list) differs from "not known".
 */
export type FieldKind = 'number' | 'choice' | 'yes-no' | 'list';

export interface FactField {
  kind: FieldKind;
  /** Dotted path in PatientFacts, as rationales and missing facts name it: `patient.ageYears`. */
  path: string;
  label: string;
  hint?: string;
  /** For `choice`: the value set, in the schema's order. */
  options?: readonly string[];
  min?: number;
  max?: number;
  /** The value must be greater than this (`exclusiveMinimum`). */
  above?: number;
  /** Required once its group is given (`order.drug`). */
  required?: boolean;
  deprecated?: boolean;
}

export interface FactGroup {
  path: string;
  label: string;
  hint?: string;
  fields: FactField[];
  groups: FactGroup[];
}

/** Ajv's way of saying "any finite number" in this schema: no maximum worth showing. */
const LARGEST_FINITE = Number.MAX_VALUE;

/** `creatinineClearanceMlMin` -> `Creatinine clearance ml min`: only for a property without a title. */
function humanised(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A description as a hint for a clinician: without the contract's version marks ("v2: ") and ending
 * as a sentence, so that the range the form adds reads on.
 */
function hintOf(description: string): string {
  const hint = description.replace(/\bv\d+: /g, '');
  const sentence = hint.charAt(0).toUpperCase() + hint.slice(1);
  return /[.!?)]$/.test(sentence) ? sentence : `${sentence}.`;
}

function resolved(node: SchemaNode, root: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = /^#\/\$defs\/([^/]+)$/.exec(node.$ref)?.[1];
  const target = name === undefined ? undefined : root.$defs?.[name];
  if (target === undefined) throw new Error(`The facts form cannot follow $ref ${node.$ref}`);
  // The property's own title and description say more than the shared definition's.
  const { $ref: _ref, ...own } = node;
  return { ...resolved(target, root), ...own };
}

function kindOf(node: SchemaNode, path: string): FieldKind {
  if (node.enum !== undefined) return 'choice';
  if (node.type === 'boolean') return 'yes-no';
  if (node.type === 'number' || node.type === 'integer') return 'number';
  if (node.type === 'array' && node.items?.type === 'string') return 'list';
  throw new Error(`The facts form has no field for ${path} (type ${String(node.type)})`);
}

function fieldOf(node: SchemaNode, path: string, key: string, required: boolean): FactField {
  const kind = kindOf(node, path);
  return {
    kind,
    path,
    label: node.title ?? humanised(key),
    ...(node.description !== undefined ? { hint: hintOf(node.description) } : {}),
    ...(node.enum !== undefined ? { options: node.enum } : {}),
    ...(node.minimum !== undefined ? { min: node.minimum } : {}),
    ...(node.maximum !== undefined && node.maximum < LARGEST_FINITE ? { max: node.maximum } : {}),
    ...(node.exclusiveMinimum !== undefined ? { above: node.exclusiveMinimum } : {}),
    ...(required ? { required } : {}),
    ...(node.deprecated ? { deprecated: true } : {}),
  };
}

function groupOf(node: SchemaNode, path: string, key: string, root: SchemaNode): FactGroup {
  const group: FactGroup = {
    path,
    label: node.title ?? humanised(key),
    ...(node.description !== undefined ? { hint: hintOf(node.description) } : {}),
    fields: [],
    groups: [],
  };
  for (const [childKey, raw] of Object.entries(node.properties ?? {})) {
    const child = resolved(raw, root);
    const childPath = `${path}.${childKey}`;
    if (child.type === 'object') group.groups.push(groupOf(child, childPath, childKey, root));
    else group.fields.push(fieldOf(child, childPath, childKey, node.required?.includes(childKey) ?? false));
  }
  return group;
}

/** The groups of the facts form, one per top-level property of the schema, in the schema's order. */
export function factForm(schema: SchemaNode): FactGroup[] {
  return Object.entries(schema.properties ?? {}).map(([key, node]) => groupOf(resolved(node, schema), key, key, schema));
}

/** Every field of the form, depth first, in the order the form shows them. */
export function fieldsOf(groups: readonly FactGroup[]): FactField[] {
  return groups.flatMap((group) => [...group.fields, ...fieldsOf(group.groups)]);
}

/** Every group of the form, nested ones included. */
export function groupsOf(groups: readonly FactGroup[]): FactGroup[] {
  return groups.flatMap((group) => [group, ...groupsOf(group.groups)]);
}

/** The element id of a field (or group) of the form: links from rationales and missing facts point here. */
export function fieldId(path: string): string {
  return `fact-${path.replace(/\./g, '-')}`;
}
