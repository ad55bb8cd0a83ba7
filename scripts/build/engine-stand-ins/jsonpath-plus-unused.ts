/**
 * Stands in for jsonpath-plus in the Lambda bundles (see scripts/build.ts): the engine resolves
 * fact paths with its own resolver, so reaching this is a bug, and it says so.
 */
export function JSONPath(): never {
  throw new Error('jsonpath-plus is not bundled: rules are evaluated with the pathResolver of functions/core/fact-paths.ts');
}
