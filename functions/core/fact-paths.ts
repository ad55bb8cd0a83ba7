import type { FactCondition } from './rule-definition.js';

/**
 * Fact paths. Rules name a top-level section of PatientFacts as their fact and a JSONPath of the
 * plain form `$.a.b` into it; findings report the same place as a dotted path (`molecular.kitD816V`).
 */

const splitPaths = new Map<string, readonly string[]>();

function segmentsOf(path: string): readonly string[] {
  let segments = splitPaths.get(path);
  if (segments === undefined) {
    segments = path === '$' ? [] : path.replace(/^\$\./, '').split('.');
    splitPaths.set(path, segments);
  }
  return segments;
}

/** Follows own properties only, so a path can never reach into a prototype. */
function walk(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * json-rules-engine `pathResolver`: the rule files only use plain `$.a.b` paths (the rule-file
 * checks enforce it), which a split-once property walk resolves without a JSONPath interpreter.
 */
export function resolvePath(value: object, path: string): unknown {
  return walk(value, segmentsOf(path));
}

const splitDottedPaths = new Map<string, readonly string[]>();

/** Reads a dotted fact path (`treatmentCourse.baseline.serumTryptaseNgMl`) from a facts object. */
export function readDottedPath(facts: object, dottedPath: string): unknown {
  let segments = splitDottedPaths.get(dottedPath);
  if (segments === undefined) {
    segments = dottedPath.split('.');
    splitDottedPaths.set(dottedPath, segments);
  }
  return walk(facts, segments);
}

/** The dotted path a leaf reads, as written (`medications.strongCyp3a4Inducers.length`). */
export function conditionPath(condition: Pick<FactCondition, 'fact' | 'path'>): string {
  const segments = condition.path === undefined ? [] : segmentsOf(condition.path);
  return [condition.fact, ...segments].join('.');
}

/** The patient fact behind a leaf: an array's `.length` is reported as the array itself. */
export function patientFactPath(condition: Pick<FactCondition, 'fact' | 'path'>): string {
  return conditionPath(condition).replace(/\.length$/, '');
}
