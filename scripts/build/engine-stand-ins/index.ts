import path from 'node:path';

/**
 * json-rules-engine's dependencies and the stand-in each is replaced by (README.md says why, each
 * measured): in every bundle `npm run build` makes, and in the unit tests' engine
 * (test/support/engine-stand-ins.ts), so that both run the engine as it ships.
 */
export const ENGINE_STAND_INS: Readonly<Record<string, string>> = {
  'jsonpath-plus': path.join(import.meta.dirname, 'jsonpath-plus-unused.ts'),
  clone: path.join(import.meta.dirname, 'fast-clone.ts'),
  eventemitter2: path.join(import.meta.dirname, 'event-emitter.ts'),
  'hash-it': path.join(import.meta.dirname, 'hash-it-unused.ts'),
};
