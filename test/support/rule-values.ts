import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONDITIONS_FILE, KNOWLEDGE_BASE_FILE, RULES_DIR, ruleFileNames } from '../../scripts/knowledge-base/rule-files.js';

/**
 * The values the rule files turn on, read from the files themselves so that generated patients
 * reach a rule added tomorrow without a change here: each number a condition compares a fact with,
 * the drugs of each value set (names, synonyms and brands), the KIT variants a condition names.
 * The shared conditions of conditions.json count too: rules reach their leaves by reference.
 */

interface Leaf {
  fact?: string;
  path?: string;
  value?: unknown;
  params?: { variants?: unknown };
  all?: Leaf[];
  any?: Leaf[];
}

/** What the rules of one folder turn on. */
export interface RuleValues {
  /** Each threshold, a hair below and above it: both sides of every comparison. */
  aroundThresholds(dottedPath: string): number[];
  /** The KIT variants that rules name (`kitVariantsFound`'s `variants`). */
  namedKitVariants: string[];
  /** Every value set's member names, synonyms and brands, one list per set. */
  valueSetNames: string[][];
}

function leaves(node: Leaf): Leaf[] {
  const children = node.all ?? node.any;
  return children ? children.flatMap(leaves) : [node];
}

/** The values the rules of `rulesDir` turn on. */
export function ruleValuesOf(rulesDir: string): RuleValues {
  const json = (file: string): unknown => JSON.parse(readFileSync(path.join(rulesDir, file), 'utf8'));
  const shared: Leaf[] = existsSync(path.join(rulesDir, CONDITIONS_FILE))
    ? Object.values((json(CONDITIONS_FILE) as { conditions: Record<string, Leaf> }).conditions)
    : [];
  const ruleLeaves = [
    ...ruleFileNames(rulesDir).flatMap((file) => leaves((json(file) as { conditions: Leaf }).conditions)),
    ...shared.flatMap(leaves),
  ];
  /** The numbers the rules compare the fact at `dottedPath` (`labs.altTimesUln`) with. */
  const thresholdsOf = (dottedPath: string): number[] => {
    const [section, ...rest] = dottedPath.split('.');
    const wanted = `$.${rest.join('.')}`;
    return ruleLeaves
      .filter((l) => l.fact === section && l.path === wanted && typeof l.value === 'number')
      .map((l) => l.value as number);
  };
  const valueSets =
    (
      json(KNOWLEDGE_BASE_FILE) as {
        valueSets?: Record<string, { members: { name: string; synonyms?: string[]; brands?: string[] }[] }>;
      }
    ).valueSets ?? {};
  return {
    aroundThresholds: (dottedPath) => thresholdsOf(dottedPath).flatMap((t) => [t - 0.01, t, t + 0.01]),
    namedKitVariants: [
      ...new Set(
        ruleLeaves.flatMap((l) =>
          l.fact === 'kitVariantsFound' && Array.isArray(l.params?.variants) ? (l.params.variants as string[]) : [],
        ),
      ),
    ],
    valueSetNames: Object.values(valueSets).map((set) =>
      set.members.flatMap((member) => [member.name, ...(member.synonyms ?? []), ...(member.brands ?? [])]),
    ),
  };
}

/** The values the rules of rules/ turn on. */
export const { aroundThresholds, namedKitVariants, valueSetNames } = ruleValuesOf(RULES_DIR);
