/**
 * Stands in for hash-it in every bundle (see scripts/build.ts): json-rules-engine hashes a fact's
 * parameters only for a fact whose results it caches, and the core adds every fact with
 * `cache: false` (functions/core/rule-engine.ts), so reaching this is a bug, and it says so.
 */
export default function hashIt(): never {
  throw new Error('hash-it is not bundled: every fact of the core is added with cache: false');
}
