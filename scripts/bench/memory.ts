import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface MemoryGrowth {
  /** Resident set size after the calls minus before, after a full collection each time. */
  rssGrowthMb: number;
  /** The same for the V8 heap in use: tells a leak (heap grows) from a bigger but stable heap. */
  heapUsedGrowthMb: number;
}

/**
 * Memory growth over `calls` evaluate() calls, measured in a fresh process (scripts/bench/
 * memory-child.ts) started with --expose-gc, so the heaps of the bench's other contestants do not
 * blur it.
 */
export function measureMemoryGrowth(root: string, calls: number): MemoryGrowth {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(root, 'scripts/bench/memory-child.ts'), String(calls)],
    { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output) as MemoryGrowth;
}
