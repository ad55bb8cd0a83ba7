import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { childEnv, childScript, runChild, type ColdFunction } from './cold-start.js';
import { round } from './stats.js';

/**
 * Where a cold start's milliseconds go (`npm run bench -- --only profile`): for each Lambda
 * function, a few children run as the cold-start bench runs them (require the bundle, one call),
 * under `node --cpu-prof`; the samples taken between the start of the require and the end of the
 * first call are summed by self time and grouped by where the function was written: the bundle's
 * source map (dist/lambda/<fn>.cjs.map) maps each bundled function to its source file, grouped
 * by npm package for node_modules and by file for this repository's code; node's own code is
 * grouped by its internal module, and V8's entries ("(garbage collector)", "(program)": work
 * outside JavaScript, mostly parsing and compiling) by name. The profiler adds overhead of its
 * own: the shares are what to read, not the absolute milliseconds.
 */

const RUNS = 5;
const INTERVAL_US = 100;
const TOP = 14;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileGroup {
  where: string;
  selfMs: number;
  /** Of the sampled time in the window. */
  share: number;
  /** Its functions with the most self time: name (source line when mapped) and ms. */
  functions: { name: string; selfMs: number }[];
}

export interface FunctionProfile {
  runs: number;
  /** Mean time from the start of the require to the end of the first call, under the profiler. */
  windowMs: number;
  groups: ProfileGroup[];
}

/** The group of a source path of the source map: its npm package, or the file in this repository. */
function groupOfSource(source: string, root: string): string {
  const at = source.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = source.slice(at + 'node_modules/'.length).split('/');
    return `npm ${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const file = source.startsWith('file://') ? new URL(source).pathname : path.resolve(root, 'dist/lambda', source);
  return path.relative(root, file);
}

function locate(frame: CallFrame, bundleUrl: string, map: SourceMap, root: string): { group: string; name: string } {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === bundleUrl || frame.url === bundleUrl.replace(/^file:\/\//, '')) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      name?: string;
    };
    // esbuild hoists the ES modules' top-level code into the bundle's own top level, which maps to no source.
    if (!entry.originalSource) return { group: 'bundle top level (module evaluation, unmapped)', name };
    return { group: groupOfSource(entry.originalSource, root), name: `${entry.name ?? name}:${(entry.originalLine ?? 0) + 1}` };
  }
  if (frame.url === '') return { group: name.startsWith('(') ? `V8 ${name}` : 'V8 built-ins', name };
  return { group: frame.url, name };
}

/** Self time per (group, function) of one profile, within the window [fromUs, toUs]. */
function selfTimes(
  profile: CpuProfile,
  fromUs: number,
  toUs: number,
  place: (frame: CallFrame) => { group: string; name: string },
  into: Map<string, Map<string, number>>,
): void {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  let t = profile.startTime;
  const times: number[] = profile.timeDeltas.map((delta) => (t += delta));
  for (let i = 0; i < profile.samples.length - 1; i++) {
    if (times[i]! < fromUs || times[i]! > toUs) continue;
    const { group, name } = place(frames.get(profile.samples[i]!)!);
    const functions = into.get(group) ?? new Map<string, number>();
    functions.set(name, (functions.get(name) ?? 0) + (times[i + 1]! - times[i]!) / 1000);
    into.set(group, functions);
  }
}

export async function profileColdStart(
  root: string,
  fn: ColdFunction,
  extraEnv: Record<string, string>,
): Promise<FunctionProfile> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cold-profile-'));
  const map = new SourceMap(JSON.parse(readFileSync(`${fn.bundle}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  const bundleUrl = `file://${fn.bundle}`;
  const groups = new Map<string, Map<string, number>>();
  let windowMs = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const env = { ...childEnv(extraEnv), BENCH_COLD_EVENTS: JSON.stringify(await fn.events()) };
      const runDir = path.join(dir, String(run));
      const { times } = runChild(childScript(fn.bundle, { calls: 1, window: true }), env, [
        '--cpu-prof',
        `--cpu-prof-dir=${runDir}`,
        `--cpu-prof-interval=${INTERVAL_US}`,
      ]);
      const [fromUs, toUs] = times.windowUs;
      if (fromUs === null || toUs === null) throw new Error('the profiled child gave no window');
      windowMs += (toUs - fromUs) / 1000 / RUNS;
      const file = readdirSync(runDir).find((f) => f.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error(`node --cpu-prof wrote no profile in ${runDir}`);
      const profile = JSON.parse(readFileSync(path.join(runDir, file), 'utf8')) as CpuProfile;
      selfTimes(profile, fromUs, toUs, (frame) => locate(frame, bundleUrl, map, root), groups);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const total = [...groups.values()].reduce((sum, fns) => sum + [...fns.values()].reduce((a, b) => a + b, 0), 0);
  const ranked = [...groups.entries()]
    .map(([where, fns]) => {
      const selfMs = [...fns.values()].reduce((a, b) => a + b, 0);
      const functions = [...fns.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([name, ms]) => ({ name, selfMs: round(ms / RUNS, 2) }));
      return { where, selfMs: round(selfMs / RUNS, 2), share: round(selfMs / total, 3), functions };
    })
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, TOP);
  return { runs: RUNS, windowMs: round(windowMs, 1), groups: ranked };
}

export function profileTable(name: string, profile: FunctionProfile): string {
  const lines = [
    `${name}: require + first call, ${profile.windowMs} ms under the profiler (mean of ${profile.runs} runs); self time per run`,
  ];
  for (const group of profile.groups) {
    const fns = group.functions.map((f) => `${f.name} ${f.selfMs.toFixed(2)}`).join(', ');
    lines.push(
      `  ${group.selfMs.toFixed(2).padStart(7)} ms ${`${(group.share * 100).toFixed(1)}%`.padStart(6)}  ${group.where}`,
      `  ${''.padStart(17)}${fns}`,
    );
  }
  return lines.join('\n');
}
