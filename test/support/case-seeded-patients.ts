import fc from 'fast-check';
import schema from '../../schemas/patient-facts.schema.json' with { type: 'json' };
import { factForm, fieldsOf, type FactField, type SchemaNode } from '../../console/src/schema-fields.js';
import type { PatientFacts } from '../../functions/core/index.js';
import { assertPatientFacts } from '../../functions/core/validate-facts.js';
import type { ValueSet } from '../../functions/core/value-sets.js';
import { readCaseFiles, type RuleCase } from '../../scripts/knowledge-base/check-cases.js';
import { ruleValuesOf } from './rule-values.js';

/**
 * Patients seeded from the rules' own cases, so that every rule fires among generated patients
 * because its cases say how, however rare its conditions are together among random ones: a rule
 * is drawn (each as often as any other), then one of its cases (one that fires at least half of
 * the time), then the case's facts as written, with other facts added around them, or perturbed:
 * values dropped, moved across the rules' thresholds, flipped to another choice, or taken from a
 * random patient. A perturbed patient the service would refuse is replaced by its case.
 */

type Facts = Record<string, unknown>;
type Leaf = readonly [path: string, value: unknown];

/** What may happen to one value of a case. */
type Change = 'keep' | 'drop' | 'flip' | 'other';

const CHANGES: readonly Change[] = ['keep', 'keep', 'keep', 'keep', 'drop', 'flip', 'other'];

const fieldsByPath = new Map(fieldsOf(factForm(schema as SchemaNode)).map((field) => [field.path, field]));

const isSection = (value: unknown): value is Facts => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every value of `facts` by its dotted path; an empty section is a value of its own (it may mean something). */
function leavesOf(facts: unknown, prefix = ''): Leaf[] {
  if (!isSection(facts) || (Object.keys(facts).length === 0 && prefix !== '')) return prefix === '' ? [] : [[prefix, facts]];
  return Object.entries(facts).flatMap(([key, value]) => leavesOf(value, prefix === '' ? key : `${prefix}.${key}`));
}

function withLeaves(leaves: readonly Leaf[]): Facts {
  const facts: Facts = {};
  for (const [path, value] of leaves) {
    const keys = path.split('.');
    let node = facts;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Facts;
    const last = keys.at(-1)!;
    node[last] = isSection(value) && isSection(node[last]) ? node[last] : structuredClone(value);
  }
  return facts;
}

const isUnder = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}.`);

/** The patient the case's leaves make, with `context`'s values wherever the case says nothing. */
function around(leaves: readonly Leaf[], context: PatientFacts): Facts {
  const extra = leavesOf(context).filter(([path]) => !leaves.some(([own]) => isUnder(path, own) || isUnder(own, path)));
  return withLeaves([...extra, ...leaves]);
}

/** `value` moved across a threshold of the rules, flipped to another choice, or a list shortened. */
function flipped(
  field: FactField | undefined,
  value: unknown,
  pick: number,
  nearThresholds: (path: string) => number[],
): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') {
    const near = field ? nearThresholds(field.path).filter((v) => v !== value) : [];
    return near.length > 0 ? near[pick % near.length] : value;
  }
  if (typeof value === 'string') {
    const others = (field?.options ?? []).filter((option) => option !== value);
    return others.length > 0 ? others[pick % others.length] : value;
  }
  if (Array.isArray(value)) return value.slice(0, -1);
  return value;
}

/** Arbitrary patients seeded from the cases of `rulesDir`, and the random `context` patients to add around them. */
export function caseSeededPatients(
  rulesDir: string,
  valueSets: Readonly<Record<string, ValueSet>>,
  context: fc.Arbitrary<PatientFacts>,
): fc.Arbitrary<PatientFacts> {
  const { aroundThresholds } = ruleValuesOf(rulesDir);
  const byRule = [...readCaseFiles(rulesDir).values()].map((file) => file.cases).filter((cases) => cases.length > 0);
  if (byRule.length === 0) throw new Error(`${rulesDir} has no cases to seed patients with`);
  const valid = (facts: Facts): boolean => {
    try {
      assertPatientFacts(facts, valueSets);
      return true;
    } catch {
      return false;
    }
  };

  const caseOf = (cases: RuleCase[]): fc.Arbitrary<RuleCase> => {
    const firing = cases.filter((c) => c.expect === 'fires');
    return firing.length > 0 && firing.length < cases.length
      ? fc.oneof(fc.constantFrom(...firing), fc.constantFrom(...cases))
      : fc.constantFrom(...cases);
  };

  const perturbed = (leaves: readonly Leaf[]) =>
    fc
      .tuple(
        fc.array(fc.record({ change: fc.constantFrom(...CHANGES), pick: fc.nat() }), {
          minLength: leaves.length,
          maxLength: leaves.length,
        }),
        context,
        fc.boolean(),
      )
      .map(([changes, other, withContext]) => {
        const otherLeaves = new Map(leavesOf(other));
        const changed = leaves.flatMap(([path, value], i): Leaf[] => {
          const { change, pick } = changes[i]!;
          if (change === 'keep') return [[path, value]];
          if (change === 'flip') return [[path, flipped(fieldsByPath.get(path), value, pick, aroundThresholds)]];
          const replacement = change === 'other' ? otherLeaves.get(path) : undefined;
          return replacement === undefined ? [] : [[path, replacement]];
        });
        return withContext ? around(changed, other) : withLeaves(changed);
      });

  return fc
    .constantFrom(...byRule)
    .chain(caseOf)
    .chain((c) => {
      const leaves = leavesOf(c.facts);
      return fc
        .oneof(
          { weight: 1, arbitrary: fc.constant(structuredClone(c.facts)) },
          { weight: 2, arbitrary: context.map((other) => around(leaves, other)) },
          { weight: 3, arbitrary: perturbed(leaves) },
        )
        .map((facts) => (valid(facts) ? facts : structuredClone(c.facts)) as PatientFacts);
    });
}
