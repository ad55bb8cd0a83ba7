/**
 * `npm run build` (after `npm run generate`): the Lambda bundles that serverless.yml deploys and the
 * library build that `import { evaluate } from 'imatinib-sm-cds'` resolves to.
 *
 * - dist/lambda/<function>.cjs: one minified CommonJS bundle per function (CommonJS because
 *   `serverless invoke local` loads nothing else; Lambda and serverless-offline load it too);
 * - dist/lib/index.mjs, dist/lib/index.cjs and dist/lib/types/: the core, for embedding.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { lambdaFunctions } from './lambda-functions.js';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Three of json-rules-engine's dependencies are replaced in every build, each for a reason measured
 * (README, "Performance"); the engine's own code is untouched:
 * - jsonpath-plus: the engine always runs with its own path resolver (functions/core/fact-paths.ts),
 *   so the JSONPath interpreter is never called; leaving it out saves 25 KB of bundle and start-up;
 * - clone: a plain recursive copy for the acyclic condition trees the engine copies on every run
 *   (scripts/build/fast-clone.ts), a third of a run's time in the profile;
 * - eventemitter2: 18 KB of which the engine uses `on` and `emitAsync` (scripts/build/event-emitter.ts).
 * A test runs the built library against the source on the sample facts and generated ones.
 * Code targets Node 20 (these machines) while Lambda runs nodejs22.x.
 */
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  alias: {
    'jsonpath-plus': path.join(root, 'scripts/build/jsonpath-plus-unused.ts'),
    clone: path.join(root, 'scripts/build/fast-clone.ts'),
    eventemitter2: path.join(root, 'scripts/build/event-emitter.ts'),
  },
};

export const lambdaBuildOptions = (file: string): BuildOptions => ({
  ...common,
  entryPoints: [path.join(root, `functions/handlers/${file}.ts`)],
  outfile: path.join(root, `dist/lambda/${file}.cjs`),
  format: 'cjs',
  minify: true,
  sourcemap: 'external',
  metafile: true,
});

async function main(): Promise<void> {
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  for (const { file } of lambdaFunctions) await build(lambdaBuildOptions(file));
  const library: BuildOptions = { ...common, entryPoints: [path.join(root, 'functions/core/index.ts')] };
  await build({ ...library, format: 'esm', outfile: path.join(root, 'dist/lib/index.mjs') });
  await build({ ...library, format: 'cjs', outfile: path.join(root, 'dist/lib/index.cjs') });
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.lib.json')], {
    stdio: 'inherit',
  });
  console.error(`built ${lambdaFunctions.map((f) => `dist/lambda/${f.file}.cjs`).join(', ')} and dist/lib`);
}

await main();
