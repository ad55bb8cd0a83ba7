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

/** Code targets Node 20 (these machines) while Lambda runs nodejs22.x. */
const common: BuildOptions = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', legalComments: 'none' };

export const lambdaBuildOptions = (file: string): BuildOptions => ({
  ...common,
  entryPoints: [path.join(root, `functions/handlers/${file}.ts`)],
  outfile: path.join(root, `dist/lambda/${file}.cjs`),
  format: 'cjs',
  minify: true,
  sourcemap: 'external',
  metafile: true,
  // json-rules-engine imports jsonpath-plus for its default path resolver; the engine here always
  // runs with its own resolver (functions/core/fact-paths.ts), so the interpreter is never called.
  alias: { 'jsonpath-plus': path.join(root, 'scripts/build/jsonpath-plus-unused.ts') },
});

async function main(): Promise<void> {
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  for (const { file } of lambdaFunctions) await build(lambdaBuildOptions(file));
  const library: BuildOptions = { ...common, entryPoints: [path.join(root, 'functions/core/index.ts')], external: ['json-rules-engine'] };
  await build({ ...library, format: 'esm', outfile: path.join(root, 'dist/lib/index.mjs') });
  await build({ ...library, format: 'cjs', outfile: path.join(root, 'dist/lib/index.cjs') });
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.lib.json')], {
    stdio: 'inherit',
  });
  console.error(`built ${lambdaFunctions.map((f) => `dist/lambda/${f.file}.cjs`).join(', ')} and dist/lib`);
}

await main();
