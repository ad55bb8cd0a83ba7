import { describe, expect, it } from 'vitest';
import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { factForm, fieldId, fieldsOf, groupsOf, type SchemaNode } from '../../console/src/schema-fields.js';

/** The review console's facts form, read off schemas/patient-facts.schema.json. */

const root = schema as SchemaNode;
const groups = factForm(root);
const fields = fieldsOf(groups);

/** Every property of the schema, by dotted path, with `$ref`s followed. */
function properties(node: SchemaNode, prefix = ''): [string, SchemaNode][] {
  return Object.entries(node.properties ?? {}).flatMap(([key, raw]) => {
    const ref = raw.$ref?.replace('#/$defs/', '');
    const child = ref ? { ...root.$defs![ref], ...raw } : raw;
    const path = prefix ? `${prefix}.${key}` : key;
    return [[path, child] as [string, SchemaNode], ...properties(child, path)];
  });
}

const leaves = properties(root).filter(([, node]) => node.type !== 'object');

describe('the facts form', () => {
  it('has one field for every leaf of PatientFacts', () => {
    expect(fields.map((f) => f.path).sort()).toEqual(leaves.map(([path]) => path).sort());
  });

  it('labels every field and group with its title in the schema', () => {
    const titled = properties(root).filter(([, node]) => node.title === undefined);

    expect(titled.map(([path]) => path)).toEqual([]);
    for (const item of [...fields, ...groupsOf(groups)])
      expect(item.label).toBe(properties(root).find(([p]) => p === item.path)![1].title);
  });

  it('offers each value set of the schema as choices', () => {
    for (const field of fields.filter((f) => f.kind === 'choice'))
      expect(field.options, field.path).toEqual(leaves.find(([path]) => path === field.path)![1].enum);
  });

  it('asks booleans as yes or no, so that "not known" stays a third answer', () => {
    const booleans = leaves.filter(([, node]) => node.type === 'boolean').map(([path]) => path);

    expect(fields.filter((f) => f.kind === 'yes-no').map((f) => f.path)).toEqual(booleans);
  });

  it('marks required only what the schema requires, and shows no maximum that only says "finite"', () => {
    const required = properties(root)
      .filter(([, node]) => node.required !== undefined)
      .flatMap(([path, node]) => node.required!.map((key) => `${path}.${key}`));

    expect(fields.filter((f) => f.required).map((f) => f.path)).toEqual(required);
    for (const field of fields) if (field.max !== undefined) expect(field.max).toBeLessThan(Number.MAX_VALUE);
  });

  it('gives hints without the contract version marks', () => {
    for (const field of fields) expect(field.hint ?? '').not.toMatch(/\bv\d+:/);
  });

  it('names each field by an id that is unique and safe in a URL fragment', () => {
    const ids = [...fields, ...groupsOf(groups)].map((item) => fieldId(item.path));

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^fact-[A-Za-z0-9-]+$/);
  });
});
