import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONDITIONS_FILE, KNOWLEDGE_BASE_FILE, RULES_DIR, ruleFileNames } from '../../scripts/knowledge-base/rule-files.js';

/**
 * The values the rule files of rules/ turn on, read from the files themselves so that generated
 * patients reach a rule added tomorrow without a change here: each number a condition compares a
 * fact with, the drugs of each value set, the KIT variants a condition names.
 */

interface Leaf {
  fact?: string;
  path?: string;
  value?: unknown;
  params?: { variants?: unknown };
  all?: Leaf[];
  any?: Leaf[];
}

const json = (file: string): unknown => JSON.parse(readFileSync(path.join(RULES_DIR, file), 'utf8'));

function leaves(node: Leaf): Leaf[] {
  const children = node.all ?? node.any;
  return children ? children.flatMap(leaves) : [node];
}

/** The shared conditions of conditions.json, whose leaves rules reach by reference. */
const sharedConditions: Leaf[] = existsSync(path.join(RULES_DIR, CONDITIONS_FILE))
  ? Object.values((json(CONDITIONS_FILE) as { conditions: Record<string, Leaf> }).conditions)
  : [];

const ruleLeaves: Leaf[] = [
  ...ruleFileNames().flatMap((file) => leaves((json(file) as { conditions: Leaf }).conditions)),
  ...sharedConditions.flatMap(leaves),
];

/** The numbers the rules compare the fact at `dottedPath` with (`labs.altTimesUln`). */
export function thresholdsOf(dottedPath: string): number[] {
  const [section, ...rest] = dottedPath.split('.');
  const wanted = `$.${rest.join('.')}`;
  return ruleLeaves
    .filter((l) => l.fact === section && l.path === wanted && typeof l.value === 'number')
    .map((l) => l.value as number);
}

/** Each threshold, a hair below and above it: both sides of every comparison. */
export function aroundThresholds(dottedPath: string): number[] {
  return thresholdsOf(dottedPath).flatMap((t) => [t - 0.01, t, t + 0.01]);
}

/** The KIT variants that rules name (`kitVariantsFound`'s `variants`). */
export const namedKitVariants: string[] = [
  ...new Set(
    ruleLeaves.flatMap((l) =>
      l.fact === 'kitVariantsFound' && Array.isArray(l.params?.variants) ? (l.params.variants as string[]) : [],
    ),
  ),
];

/** Every value set's member names and synonyms, one list per set. */
export const valueSetNames: string[][] = Object.values(
  (json(KNOWLEDGE_BASE_FILE) as { valueSets?: Record<string, { members: { name: string; synonyms?: string[] }[] }> }).valueSets ??
    {},
).map((set) => set.members.flatMap((member) => [member.name, ...(member.synonyms ?? [])]));
