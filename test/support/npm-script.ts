import path from 'node:path';
import { readFileSync } from 'node:fs';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The command line of a `tsx <script>` npm script (package.json), run straight with this Node and
 * tsx's loader: what `npm run <name>` ends up running, without the two processes of npm and tsx's
 * CLI in front of it (each about a second of CPU, and the tests of a script run it many times).
 * A test of each script still runs it once through `npm run`, as a person does, and
 * scriptCommand fails when the npm script is not `tsx <file>`, so the two cannot drift apart.
 */
export function scriptCommand(name: string, args: readonly string[] = []): [string, string[]] {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const file = /^tsx (\S+\.ts)$/.exec(scripts[name] ?? '')?.[1];
  if (file === undefined) throw new Error(`npm script ${name} is not "tsx <file>.ts": ${scripts[name]}`);
  return [process.execPath, ['--import', 'tsx', file, ...args]];
}
