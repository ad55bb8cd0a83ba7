/**
 * A value of a constant table by a key that came from outside: own properties only, so that
 * "constructor" or "__proto__" in a FHIR resource finds nothing instead of Object's internals.
 */
export function lookup<V>(table: Readonly<Record<string, V>>, key: string | undefined): V | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
