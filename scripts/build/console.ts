import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { REVIEW_DATA_MODULE } from '../../console/src/review-data.js';
import { reviewData } from './console-data.js';

/**
 * The review console's build (part of `npm run build`): dist/console/index.html, console.js and
 * console.css, a static page that works from file:// and from any static host. console.js is one
 * classic script (an IIFE: browsers refuse module scripts from file://) holding the core, its rules
 * engine, the knowledge base and the data the page shows, so the page reads no file at run time.
 */

/** The embedded cases and scenarios, as the module `console:review-data`. */
function embeddedReviewData(): Plugin {
  return {
    name: 'review-data',
    setup(plugin) {
      plugin.onResolve({ filter: new RegExp(`^${REVIEW_DATA_MODULE}$`) }, (args) => ({
        path: args.path,
        namespace: 'review-data',
      }));
      plugin.onLoad({ filter: /.*/, namespace: 'review-data' }, () => ({
        contents: JSON.stringify(reviewData()),
        loader: 'json',
      }));
    },
  };
}

/**
 * A Node built-in reached from the console's code is a bug to fix where it is imported (the core
 * must stay free of them), never something to stub here: this stops the build and names the importer.
 */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(plugin) {
    plugin.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [
        {
          text: `${path.relative(process.cwd(), args.importer)} imports ${args.path}, which a browser does not have: the console bundles this module, so it must stay free of Node built-ins`,
        },
      ],
    }));
  },
};

export interface ConsoleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * Builds the console into `root`/dist/console with json-rules-engine's stand-ins `engineAliases`
 * (the same as every other bundle), and returns the size of each file it wrote.
 */
export async function buildConsole(root: string, engineAliases: Record<string, string>): Promise<ConsoleFile[]> {
  const outdir = path.join(root, 'dist/console');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [
      { in: path.join(root, 'console/src/main.ts'), out: 'console' },
      { in: path.join(root, 'console/console.css'), out: 'console' },
    ],
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome109', 'edge109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'external',
    legalComments: 'eof',
    logLevel: 'warning',
    alias: engineAliases,
    plugins: [noNodeBuiltins, embeddedReviewData()],
  });
  copyFileSync(path.join(root, 'console/index.html'), path.join(outdir, 'index.html'));
  return ['index.html', 'console.js', 'console.css'].map((file) => {
    const full = path.join(outdir, file);
    return { file: `dist/console/${file}`, bytes: statSync(full).size, gzipBytes: gzipSync(readFileSync(full)).length };
  });
}
