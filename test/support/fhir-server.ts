import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the server answers: with the resources, a 500, a body over any sane size, not at all, or a
 * 302 to the URL given to setBehaviour (answerWith adds answers that are not FHIR at all).
 */
export type FhirBehaviour = 'serve' | 'fail' | 'huge' | 'hang' | 'redirect';

export interface FhirServer {
  /** Base URL, `http://127.0.0.1:<port>/fhir`. */
  url: string;
  port: number;
  /** TCP connections accepted, whatever came over them (a TLS handshake included). */
  readonly connections: number;
  /** The Authorization header of each request, in order. */
  readonly authorizations: (string | undefined)[];
  readonly paths: string[];
  setBehaviour(behaviour: FhirBehaviour, location?: string): void;
  /** Answers 200 with `body` (any JSON) to every path that starts with `pathPrefix` until reset by setBehaviour. */
  answerWith(pathPrefix: string, body: unknown): void;
  close(): Promise<void>;
}

/**
 * A small FHIR server on 127.0.0.1 answering the service's prefetch queries from a prefetch object
 * (the same data a CDS client would have prefetched), by resource type and, for Observations, by
 * whether the query asks for the variant code or the history of the trial's endpoints.
 */
export async function startFhirServer(prefetch: Record<string, unknown>): Promise<FhirServer> {
  let behaviour: FhirBehaviour = 'serve';
  let redirectTo = '';
  const overrides = new Map<string, unknown>();
  let connections = 0;
  const authorizations: (string | undefined)[] = [];
  const paths: string[] = [];
  const answer = (request: IncomingMessage): unknown => {
    const url = decodeURIComponent(request.url ?? '');
    for (const [prefix, body] of overrides) if (url.startsWith(prefix)) return body;
    if (url.startsWith('/fhir/Patient/')) return prefetch.patient;
    if (url.startsWith('/fhir/Observation?')) {
      if (url.includes('69548-6')) return prefetch.variants;
      return url.includes('44340-8') ? prefetch.history : prefetch.labs;
    }
    if (url.startsWith('/fhir/Condition?')) return prefetch.conditions;
    if (url.startsWith('/fhir/MedicationRequest?')) return prefetch.medications;
    if (url.startsWith('/fhir/MedicationStatement?')) return prefetch.statements;
    return undefined;
  };
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    paths.push(request.url ?? '');
    if (behaviour === 'hang') return;
    if (behaviour === 'fail') {
      response.writeHead(500).end();
      return;
    }
    if (behaviour === 'redirect') {
      response.writeHead(302, { location: `${new URL(redirectTo).origin}${request.url ?? ''}` }).end();
      return;
    }
    const body =
      behaviour === 'huge'
        ? JSON.stringify({ resourceType: 'Bundle', padding: 'x'.repeat(3 * 1024 * 1024) })
        : JSON.stringify(answer(request) ?? null);
    response
      .writeHead(answer(request) === undefined && behaviour === 'serve' ? 404 : 200, { 'content-type': 'application/fhir+json' })
      .end(body);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir`,
    port,
    get connections() {
      return connections;
    },
    authorizations,
    paths,
    setBehaviour(next, location = '') {
      behaviour = next;
      redirectTo = location;
      overrides.clear();
    },
    answerWith(pathPrefix, body) {
      overrides.set(pathPrefix, body);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
