/**
 * `npm run build` (after `npm run generate`): the Lambda bundles that serverless.yml deploys and the
 * library build that `import { evaluate } from 'imatinib-sm-cds'` resolves to.
 *
 * - dist/lambda/<function>.cjs: one minified CommonJS bundle per function (CommonJS because
 *   `serverless invoke local` loads nothing else; Lambda and serverless-offline load it too);
 * - dist/lib/index.mjs, dist/lib/index.cjs and dist/lib/types/: the core, for embedding;
 * - dist/console/: the review console, the core in a static page (scripts/build/console.ts);
 * - dist/build-stamp.json: the digest of the sources it was built from (scripts/build/stamp.ts), so
 *   that the steps after it reuse this build rather than make their own, and only while it is current.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { compactKnowledgeBaseModule } from './build/compact-knowledge-base.js';
import { buildConsole } from './build/console.js';
import { ENGINE_STAND_INS } from './build/engine-stand-ins/index.js';
import { BUILD_STAMP, sourcesDigest, writeStamp } from './build/stamp.js';
import { lambdaFunctions } from './lambda-functions.js';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Code targets Node 20 (these machines) while Lambda runs nodejs22.x. The AWS SDK is the Lambda
 * runtime's own: it stays out of every bundle (functions/adapters/state/state-table.ts loads it).
 */
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // json-rules-engine's dependencies replaced in every bundle, the console's included.
  alias: ENGINE_STAND_INS,
  external: ['@aws-sdk/*'],
};

/**
 * Node built-ins that two dependencies import at start-up for features this service does not use:
 * Powertools Logger needs node:crypto only to sample debug logs, @middy/core needs node:stream only
 * to stream responses. Loading them cost 8 ms and 5 ms of each cold start (measured), so in the
 * Lambda bundles these imports get a stand-in that loads the built-in on first use.
 */
const LAZY_BUILTINS: Record<string, readonly string[]> = {
  'node:crypto': ['randomInt'],
  'node:stream': ['Readable'],
  'node:stream/promises': ['pipeline'],
  'node:stream/web': ['ReadableStream'],
};

const lazyBuiltins: Plugin = {
  name: 'lazy-builtins',
  setup(plugin) {
    plugin.onResolve({ filter: /^node:(crypto|stream|stream\/promises|stream\/web)$/ }, (args) =>
      /node_modules\/(@aws-lambda-powertools\/logger|@middy\/core)\//.test(args.importer)
        ? { path: args.path, namespace: 'lazy-builtin' }
        : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: (LAZY_BUILTINS[args.path] ?? [])
        .map(
          (name) =>
            `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => require(${JSON.stringify(args.path)}).${name} });`,
        )
        .join('\n'),
    }));
  },
};

/** The knowledge base embedded compact in the Lambda bundles (scripts/build/compact-knowledge-base.ts). */
const compactKnowledgeBase: Plugin = {
  name: 'compact-knowledge-base',
  setup(plugin) {
    plugin.onLoad({ filter: /functions[\\/]core[\\/]generated[\\/]knowledge-base\.json$/ }, (args) => ({
      loader: 'js',
      contents: compactKnowledgeBaseModule(readFileSync(args.path, 'utf8')),
    }));
  },
};

const lambdaBuildOptions = (file: string): BuildOptions => ({
  ...common,
  entryPoints: [path.join(root, `functions/handlers/${file}.ts`)],
  outfile: path.join(root, `dist/lambda/${file}.cjs`),
  format: 'cjs',
  minify: true,
  sourcemap: 'external',
  metafile: true,
  plugins: [lazyBuiltins, compactKnowledgeBase],
  // A dynamic import() becomes require(): the runtime's AWS SDK is found through NODE_PATH, which
  // CommonJS resolution reads and ES module resolution does not.
  supported: { 'dynamic-import': false },
});

async function main(): Promise<void> {
  // Taken before reading anything: a source changed during the build leaves the stamp stale.
  const sources = sourcesDigest(root);
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  for (const { file } of lambdaFunctions) await build(lambdaBuildOptions(file));
  const library: BuildOptions = { ...common, entryPoints: [path.join(root, 'functions/core/index.ts')] };
  await build({ ...library, format: 'esm', outfile: path.join(root, 'dist/lib/index.mjs') });
  await build({ ...library, format: 'cjs', outfile: path.join(root, 'dist/lib/index.cjs') });
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.lib.json')],
    {
      stdio: 'inherit',
    },
  );
  const consoleFiles = await buildConsole(root, ENGINE_STAND_INS);
  writeStamp(root, BUILD_STAMP, sources);
  console.error(`built ${lambdaFunctions.map((f) => `dist/lambda/${f.file}.cjs`).join(', ')} and dist/lib`);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  console.error(
    `built the review console: ${consoleFiles.map((f) => `${f.file} ${kb(f.bytes)} (${kb(f.gzipBytes)} gzipped)`).join(', ')}`,
  );
}

await main();
