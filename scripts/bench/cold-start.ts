import { spawnSync } from 'node:child_process';
import { median } from './stats.js';

/**
 * Cold start of the Lambda bundle as a fresh process sees it: `node` requires the bundle, answers
 * one API Gateway event and exits, against a bare `node -e ""`. Runs alternate so both share the
 * machine's state; the medians are reported, in ms of wall time from spawn to exit.
 */

export interface ColdStart {
  bundleMs: number;
  bareNodeMs: number;
}

/** A clean environment for the children: no loader flags of this process, no logs from the bundle. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
  delete env.NODE_OPTIONS;
  return env;
}

function timeNode(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0 || child.stdout.length > 0 || child.stderr.length > 0) {
    throw new Error(`cold-start child failed (exit ${String(child.status)}): ${child.stderr.toString().slice(0, 500)}`);
  }
  return ms;
}

export function measureColdStart(bundlePath: string, event: unknown, runs: number): ColdStart {
  const script = [
    `const { handler } = require(${JSON.stringify(bundlePath)});`,
    `const context = { awsRequestId: 'cold-start', functionName: 'evaluate', getRemainingTimeInMillis: () => 30000 };`,
    `handler(${JSON.stringify(event)}, context).then((result) => { if (result.statusCode !== 200) process.exitCode = 3; });`,
  ].join('\n');
  const env = childEnv();
  const bundle: number[] = [];
  const bare: number[] = [];
  timeNode(['-e', ''], env); // page in the node binary before anything is timed
  for (let i = 0; i < runs; i++) {
    // alternate which goes first, so neither always follows the other
    if (i % 2 === 0) {
      bundle.push(timeNode(['-e', script], env));
      bare.push(timeNode(['-e', ''], env));
    } else {
      bare.push(timeNode(['-e', ''], env));
      bundle.push(timeNode(['-e', script], env));
    }
  }
  return { bundleMs: median(bundle), bareNodeMs: median(bare) };
}
