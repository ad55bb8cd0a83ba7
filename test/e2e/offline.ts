import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Offline {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the built service under serverless-offline on free ports of 127.0.0.1, with the
 * environment `envFor` gives for its base URL, and waits until it answers.
 */
export async function startOffline(envFor: (baseUrl: string) => Record<string, string>): Promise<Offline> {
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const env = envFor(baseUrl);
  const child: ChildProcess = spawn(
    path.join(ROOT, 'node_modules/.bin/serverless'),
    ['offline', 'start', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: mkdtempSync(path.join(tmpdir(), 'e2e-home-')), POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serverless-offline exited:\n${output}`);
    try {
      await fetch(`${baseUrl}/evaluate`, { method: 'OPTIONS', signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`serverless-offline did not answer within 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    baseUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
        setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 5_000).unref();
      }),
  };
}
