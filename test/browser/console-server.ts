import { spawn } from 'node:child_process';
import path from 'node:path';
import { scriptCommand } from '../support/npm-script.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunningConsole {
  url: string;
  stop(): void;
}

/**
 * `npm run console -- --port 0`, as a person runs it, when `viaNpm`; else what that runs, without
 * npm and tsx's CLI in front (test/support/npm-script.ts). And the URL it prints.
 */
export function startConsole({ viaNpm = false } = {}): Promise<RunningConsole> {
  const [command, args] = viaNpm ? ['npm', ['run', 'console', '--', '--port', '0']] : scriptCommand('console', ['--port', '0']);
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // npm and tsx run as a group of processes: stop them all, and only them.
  const stop = () => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`npm run console printed no URL within 30 s:\n${output}`));
    }, 30_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const url = /^(http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({ url, stop });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run console exited (${code}):\n${output}`));
    });
  });
}
