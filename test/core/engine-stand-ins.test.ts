import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ENGINE_STAND_INS } from '../../scripts/build/engine-stand-ins/index.js';

/**
 * The unit tests' json-rules-engine loads the stand-ins every bundle ships
 * (test/support/engine-stand-ins.ts), so that what these tests pass is the engine as it ships.
 */
const fromEngine = createRequire(createRequire(import.meta.url).resolve('json-rules-engine'));

describe("json-rules-engine's dependencies in the unit tests", () => {
  it('are the stand-ins of the bundles, for every module the build replaces', () => {
    expect(Object.keys(ENGINE_STAND_INS).sort()).toEqual(['clone', 'eventemitter2', 'hash-it', 'jsonpath-plus']);
    // The two the core never calls say so when called, as in the bundles; the originals would answer.
    expect(() => (fromEngine('hash-it') as { default: (value: unknown) => unknown }).default({})).toThrow(/not bundled/);
    expect(() => (fromEngine('jsonpath-plus') as { JSONPath: (options: object) => unknown }).JSONPath({})).toThrow(/not bundled/);
    // The emitter has the two methods the engine uses, not eventemitter2's whole API.
    const Emitter = (fromEngine('eventemitter2') as { default: new () => Record<string, unknown> }).default;
    expect(Object.keys(Object.getPrototypeOf(new Emitter()) as object).sort()).toEqual(['emitAsync', 'on']);
    // The copy keeps each object's prototype and shares nothing with the original.
    const tree = { all: [{ fact: 'labs', operator: 'equal', value: [1] }] };
    const copy = (fromEngine('clone') as { default: <T>(value: T) => T }).default(tree);
    expect(copy).toEqual(tree);
    expect(copy.all[0]!.value).not.toBe(tree.all[0]!.value);
  });
});
