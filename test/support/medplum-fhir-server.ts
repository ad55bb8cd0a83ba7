import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts the real FHIR server of the tests (test/support/medplum/server.ts: Medplum's FHIR router and
 * in-memory repository) in a child process on 127.0.0.1, and loads resources into it through its
 * FHIR API. The child runs with `--experimental-websocket`, which @medplum/core needs on Node 20, so
 * nothing else runs with it.
 */

export interface MedplumFhirServer {
  /** Base URL, `http://127.0.0.1:<port>/fhir`. */
  url: string;
  /** Creates or replaces each resource under its own id (one batch of PUTs). */
  load(resources: readonly { resourceType: string; id?: string }[]): Promise<void>;
  /** GET of a URL under the base, as JSON. */
  get(relativeUrl: string): Promise<unknown>;
  /** Validates a resource as FHIR R4 with @medplum/core's validateResource: the issues, none when valid. */
  validate(resource: { resourceType: string }): Promise<string[]>;
  close(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const STARTUP_MS = 60_000;

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the FHIR server did not start in time')), STARTUP_MS);
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the FHIR server exited (${code}): ${errors.slice(-2000)}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
}

export async function startMedplumFhirServer(): Promise<MedplumFhirServer> {
  const child = spawn(
    process.execPath,
    ['--experimental-websocket', '--import', 'tsx', path.join(ROOT, 'test/support/medplum/server.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const port = await waitForPort(child);
  const url = `http://127.0.0.1:${port}/fhir`;
  const json = async (response: Response) => (await response.json()) as unknown;
  return {
    url,
    async load(resources) {
      const batch = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: resources.map((resource) => ({
          resource,
          request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
        })),
      };
      const answer = (await json(await fetch(url, { method: 'POST', body: JSON.stringify(batch) }))) as {
        entry?: { response?: { status?: string } }[];
      };
      const failed = (answer.entry ?? []).filter((e) => !/^20[01]/.test(e.response?.status ?? ''));
      if (failed.length > 0 || (answer.entry ?? []).length !== resources.length) {
        throw new Error(
          `the FHIR server refused ${failed.length} of ${resources.length} resources: ${JSON.stringify(failed[0])}`,
        );
      }
    },
    async get(relativeUrl) {
      return json(await fetch(`${url}/${relativeUrl}`, { headers: { accept: 'application/fhir+json' } }));
    },
    async validate(resource) {
      const response = await fetch(`${url}/${resource.resourceType}/$validate`, {
        method: 'POST',
        body: JSON.stringify(resource),
      });
      const outcome = (await json(response)) as {
        issue?: { severity?: string; details?: { text?: string }; expression?: string[] }[];
      };
      return response.ok
        ? []
        : (outcome.issue ?? []).map((i) => `${i.expression?.join(', ') ?? ''}: ${i.details?.text ?? i.severity}`);
    },
    close() {
      return new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
