import { createRequire, Module } from 'node:module';
import { ENGINE_STAND_INS } from '../../scripts/build/engine-stand-ins/index.js';

/**
 * The unit tests' json-rules-engine runs with the stand-ins every bundle ships
 * (scripts/build/engine-stand-ins/), not the packages of node_modules: placed in Node's module
 * cache where the engine's own `require` finds them, before the engine is first loaded in the
 * worker (the project runs without isolation, so this holds for the worker's later files too).
 * The package and browser projects keep the original packages: they compare the built bundles,
 * stand-ins inside, with the source on the originals.
 */
const fromEngine = createRequire(createRequire(import.meta.url).resolve('json-rules-engine'));
const placed = Symbol.for('imatinib-sm-cds.engine-stand-in');

for (const [name, file] of Object.entries(ENGINE_STAND_INS)) {
  const filename = fromEngine.resolve(name);
  const cached = fromEngine.cache[filename] as (Module & { [placed]?: true }) | undefined;
  if (cached?.[placed]) continue;
  if (cached) throw new Error(`${name} was loaded before its stand-in could be placed: json-rules-engine would run the original`);
  const standIn = new Module(filename) as Module & { [placed]?: true };
  standIn.filename = filename;
  standIn.loaded = true;
  // json-rules-engine's CommonJS reads a default export through __esModule, and jsonpath-plus by name.
  standIn.exports = { __esModule: true, ...(await import(file)) };
  standIn[placed] = true;
  fromEngine.cache[filename] = standIn;
}
