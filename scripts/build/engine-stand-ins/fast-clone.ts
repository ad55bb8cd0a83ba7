/**
 * Stands in for the `clone` package inside json-rules-engine in the built bundles (see
 * scripts/build.ts). json-rules-engine deep-copies every rule's condition tree into that rule's
 * result on every run, and `clone` spends most of that time guarding against cycles and exotic
 * types (Map, Set, Buffer, Promise) that a condition tree never holds: profiled, a third of a run.
 * Condition trees are acyclic plain data on Condition instances, so a straight recursive copy that
 * keeps each object's prototype gives the same result.
 */
export default function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = clone(value[i]);
    return copy as T;
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = clone((value as Record<string, unknown>)[key]);
  return copy as T;
}
