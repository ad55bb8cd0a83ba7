import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, round } from './stats.js';

/**
 * Cold start of each Lambda bundle as a fresh process sees it, against a bare `node -e ""`.
 *
 * Each child is `node -e <script>` (no file to resolve, as for the bare node): it requires
 * dist/lambda/<function>.cjs, calls the handler once or twice, and prints what it timed with
 * performance.now() (milliseconds since the process started):
 * - nodeMs: the process start to the first line of the script: node's own start-up, seen from inside
 *   (the bare node's is the same; its wall time adds the spawn and the exit);
 * - loadMs: `require(bundle)`: reading, compiling and evaluating the bundle. The handlers' init
 *   (settings read, logger, JWT verifier, validators, the embedded rules) runs at module
 *   evaluation in this code, so it is inside loadMs;
 * - firstCallMs, secondCallMs: the first and the second handler call; what the first does on top of
 *   the second (engines built on first use, V8 compiling functions lazily) is firstCallMs - secondCallMs.
 * The event(s) come in through an environment variable, parsed before the first mark.
 *
 * The headline is wall time, spawn to exit, measured by this process: children that require the
 * bundle and make ONE call, against bare `node -e ""`, medians of alternated runs. Children that
 * make two calls (for secondCallMs) run beside them and are not wall-timed into the headline.
 * Every round runs each kind of child once, in a rotating order, so they share the machine's state.
 *
 * What a V8 code cache would buy is measured beside it, not shipped: children that compile the
 * bundle through vm.Script with the cached data of an earlier child of the same Node (made after
 * two calls, so it holds the functions those calls compiled lazily too). V8 accepts such a cache
 * only from the very same V8 version and flags, and the Lambda runtime's Node is not the Node that
 * builds the package, so on Lambda's managed runtime it would be rejected and the bundle compiled
 * as now; the figure says what pinning the two together would be worth.
 */

export interface ColdChildTimes {
  nodeMs: number;
  loadMs: number;
  firstCallMs: number;
  secondCallMs: number | null;
  /** Children with a code cache: whether V8 refused it. */
  rejected?: boolean;
  /** With `window`: the monotonic clock in microseconds at the start of the require and at the end of the first call. */
  windowUs: [number | null, number | null];
}

/** A one-call child that compiled the bundle with a V8 code cache (medians). */
export interface CodeCacheColdStart {
  loadMs: number;
  firstCallMs: number;
  overBareNodeMs: number;
  /** How many of the children's caches V8 refused (0 when the cache is of this Node). */
  rejected: number;
}

export interface FunctionColdStart {
  /** Medians of the in-child marks; loadMs and firstCallMs from the one-call children. */
  nodeMs: number;
  loadMs: number;
  firstCallMs: number;
  /** From the two-call children. */
  secondCallMs: number;
  /** firstCallMs - secondCallMs, both from the two-call children. */
  firstCallExtraMs: number;
  /** Median wall time of a child that requires the bundle and makes one call, spawn to exit. */
  wallMs: number;
  /** wallMs minus the bare node's median wall time: the cold start over bare node. */
  overBareNodeMs: number;
  withCodeCache: CodeCacheColdStart;
}

export interface ColdStart {
  runs: number;
  /** Median wall time of `node -e ""`, spawn to exit. */
  bareNode: { wallMs: number };
  evaluate: FunctionColdStart;
  cdsHooks: FunctionColdStart;
}

export interface ColdFunction {
  bundle: string;
  /** A fresh list of events for one child: the first call's, then the second's. */
  events(): Promise<unknown[]>;
}

/** A clean environment for the children: no loader flags of this process, no logs from the bundles. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, POWERTOOLS_LOG_LEVEL: 'SILENT' };
  delete env.NODE_OPTIONS;
  delete env.CDS_STATE_TABLE;
  return env;
}

/** How a child loads the bundle: require(), or compiled through vm.Script with a V8 code cache. */
export interface ChildOptions {
  calls: 1 | 2;
  /** Also print the monotonic clock at the start of the require and at the end of the first call. */
  window?: boolean;
  /** 'make': write the script's cached data to `file` after the calls; 'use': compile with it. */
  codeCache?: { file: string; mode: 'make' | 'use' };
}

/**
 * The child's script: `calls` handler calls on the events of BENCH_COLD_EVENTS, timings as JSON on
 * stdout; with `window`, also the monotonic clock (microseconds, the clock of V8's CPU profiles) at
 * the start of the require and at the end of the first call, for scripts/bench/profile.ts. With
 * `codeCache`, the bundle is compiled as CommonJS would compile it (Module.wrap) but through
 * vm.Script, whose cached data is written after the calls ('make', after two calls, so that it
 * holds the functions they compiled lazily too) or read before compiling ('use').
 */
export function childScript(bundle: string, { calls, window = false, codeCache }: ChildOptions): string {
  const clock = window ? 'Number(process.hrtime.bigint() / 1000n)' : 'null';
  const cacheFile = JSON.stringify(codeCache?.file);
  const load = codeCache
    ? [
        `const fs = require('node:fs'), vm = require('node:vm'), path = require('node:path'), { wrap } = require('node:module');`,
        `const script = new vm.Script(wrap(fs.readFileSync(${JSON.stringify(bundle)}, 'utf8')), {`,
        `  filename: ${JSON.stringify(bundle)},`,
        codeCache.mode === 'use' ? `  cachedData: fs.readFileSync(${cacheFile}),` : '',
        `});`,
        `const m = { exports: {} };`,
        `script.runInThisContext()(m.exports, require, m, ${JSON.stringify(bundle)}, path.dirname(${JSON.stringify(bundle)}));`,
        `const { handler } = m.exports;`,
      ]
    : [`const script = undefined;`, `const { handler } = require(${JSON.stringify(bundle)});`];
  return [
    `const started = performance.now();`,
    `const events = JSON.parse(process.env.BENCH_COLD_EVENTS);`,
    `const context = { awsRequestId: 'cold-start', functionName: 'cold-start', getRemainingTimeInMillis: () => 30000 };`,
    `const w0 = ${clock};`,
    `const t0 = performance.now();`,
    ...load,
    `const t1 = performance.now();`,
    `(async () => {`,
    `  const first = await handler(events[0], context);`,
    `  const t2 = performance.now();`,
    `  const w1 = ${clock};`,
    `  let second = first, t3 = t2;`,
    `  if (${calls} > 1) { second = await handler(events[1], context); t3 = performance.now(); }`,
    `  if (first.statusCode !== 200 || second.statusCode !== 200) {`,
    `    process.stderr.write('answered ' + first.statusCode + ', ' + second.statusCode + ': ' + first.body.slice(0, 300));`,
    `    process.exitCode = 3;`,
    `  }`,
    codeCache?.mode === 'make' ? `  require('node:fs').writeFileSync(${cacheFile}, script.createCachedData());` : '',
    `  const rejected = script === undefined ? undefined : script.cachedDataRejected === true;`,
    `  process.stdout.write(JSON.stringify({ nodeMs: started, loadMs: t1 - t0, firstCallMs: t2 - t1, secondCallMs: ${calls} > 1 ? t3 - t2 : null, rejected, windowUs: [w0, w1] }));`,
    `})();`,
  ].join('\n');
}

/** The bare node: `node -e ""`, nothing timed inside. */
const BARE_SCRIPT = '';

export function runChild(
  script: string,
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[] = [],
): { wallMs: number; times: ColdChildTimes } {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [...nodeFlags, '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0 || child.stderr.length > 0) {
    throw new Error(`cold-start child failed (exit ${String(child.status)}): ${child.stderr.toString().slice(0, 500)}`);
  }
  const out = child.stdout.toString();
  return { wallMs, times: (out === '' ? {} : JSON.parse(out)) as ColdChildTimes };
}

/**
 * `runs` rounds; each runs, in an order that rotates from round to round: bare node, and for each
 * function a one-call child and a two-call child.
 */
export async function measureColdStart(
  functions: { evaluate: ColdFunction; cdsHooks: ColdFunction },
  extraEnv: Record<string, string>,
  runs: number,
): Promise<ColdStart> {
  type Kind = { name: string; script: string; fn?: ColdFunction; wall: number[]; times: ColdChildTimes[] };
  const kinds: Kind[] = [{ name: 'bare', script: BARE_SCRIPT, wall: [], times: [] }];
  const env = childEnv(extraEnv);
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'bench-code-cache-'));
  for (const [name, fn] of Object.entries(functions)) {
    for (const calls of [1, 2] as const)
      kinds.push({ name: `${name}/${calls}`, script: childScript(fn.bundle, { calls }), fn, wall: [], times: [] });
    const cacheFile = path.join(cacheDir, `${name}.cache`);
    runChild(childScript(fn.bundle, { calls: 2, codeCache: { file: cacheFile, mode: 'make' } }), {
      ...env,
      BENCH_COLD_EVENTS: JSON.stringify(await fn.events()),
    });
    kinds.push({
      name: `${name}/cache`,
      script: childScript(fn.bundle, { calls: 1, codeCache: { file: cacheFile, mode: 'use' } }),
      fn,
      wall: [],
      times: [],
    });
  }
  runChild(BARE_SCRIPT, env); // page in the node binary before anything is timed
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(round + i) % kinds.length]!;
      // Tokens are signed here, before the spawn: an EHR signs before it sends.
      const childEnvWithEvents = kind.fn ? { ...env, BENCH_COLD_EVENTS: JSON.stringify(await kind.fn.events()) } : env;
      const { wallMs, times } = runChild(kind.script, childEnvWithEvents);
      kind.wall.push(wallMs);
      kind.times.push(times);
    }
  }
  rmSync(cacheDir, { recursive: true, force: true });
  const byName = (name: string) => kinds.find((k) => k.name === name)!;
  const bare = byName('bare');
  const bareWall = median(bare.wall);
  const med = (times: ColdChildTimes[], key: 'nodeMs' | 'loadMs' | 'firstCallMs' | 'secondCallMs') =>
    round(median(times.map((t) => t[key] ?? Number.NaN)), 1);
  const summary = (name: string): FunctionColdStart => {
    const one = byName(`${name}/1`);
    const two = byName(`${name}/2`).times;
    const wallMs = median(one.wall);
    const cached = byName(`${name}/cache`);
    return {
      nodeMs: med(one.times, 'nodeMs'),
      loadMs: med(one.times, 'loadMs'),
      firstCallMs: med(one.times, 'firstCallMs'),
      secondCallMs: med(two, 'secondCallMs'),
      firstCallExtraMs: round(median(two.map((t) => t.firstCallMs - (t.secondCallMs ?? Number.NaN))), 1),
      wallMs: round(wallMs, 1),
      overBareNodeMs: round(wallMs - bareWall, 1),
      withCodeCache: {
        loadMs: med(cached.times, 'loadMs'),
        firstCallMs: med(cached.times, 'firstCallMs'),
        overBareNodeMs: round(median(cached.wall) - bareWall, 1),
        rejected: cached.times.filter((t) => t.rejected === true).length,
      },
    };
  };
  return {
    runs,
    bareNode: { wallMs: round(bareWall, 1) },
    evaluate: summary('evaluate'),
    cdsHooks: summary('cdsHooks'),
  };
}
