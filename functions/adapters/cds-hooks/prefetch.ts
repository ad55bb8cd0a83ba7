import { isObject } from '../../core/index.js';
import { FHIR_READ_DEFAULTS, fhirGet, fhirRead, FhirReadFailed, pageUrl } from '../fhir/fhir-client.js';
import type { FhirServer } from '../fhir/fhir-server.js';
import type { CdsRequest } from './cds-request.js';

/**
 * The data each prefetch key stands for: from the request's prefetch when the EHR sent it, else read
 * from its FHIR server (CDS Hooks 2.0, Prefetch); a search followed through its `next` pages up to a
 * bound. Only what the template asks for is read (facts.md, From FHIR v3): a search must be answered
 * with a Bundle, a read with the one resource (a Patient whose id is the patient asked about).
 * Anything else (`null`, `[]`, an error body, another resource) leaves the key not read, so its
 * facts are unknown: never "none found".
 */

/** Pages read of one search at most: the first and this many minus one `next` pages (docs/cds-hooks.md). */
export const MAX_PAGES = 5;
/** All the pages of one key are read within this budget; pages it leaves unread cut the list. */
export const PAGING_BUDGET_MS = 3_000;

/**
 * Why a prefetch key could not be had: for the log line an on-call engineer reads.
 * `fhir-server-not-allowed`: the request's fhirServer is not one the calling EHR may have read
 * (CDS_TRUSTED_ISSUERS fhirServers), so nothing was contacted. `invalid-patient-id`: the template
 * could not be filled with `context.patientId` (not a FHIR id), so nothing was read for it.
 * `not-read`: a key the service cannot answer without was answered with something else than its
 * template asks for (patient-view without any medication list).
 */
export type PrefetchFailure =
  | FhirReadFailed['reason']
  | 'no-fhir-server'
  | 'fhir-server-not-allowed'
  | 'operation-outcome'
  | 'invalid-patient-id'
  | 'not-read';

/** Why a key's answer was not read, though one came: it was not what its template asks for. */
export type NotRead = 'null' | 'not-a-bundle' | 'wrong-resource' | 'wrong-patient' | 'operation-outcome';

export class PrefetchUnavailable extends Error {
  readonly keys: string[];

  constructor(readonly reasons: Readonly<Record<string, PrefetchFailure>>) {
    super(`prefetch unavailable: ${Object.keys(reasons).join(', ')}`);
    this.name = 'PrefetchUnavailable';
    this.keys = Object.keys(reasons);
  }
}

/** One key as read: a search's entries of every page read (as one Bundle), or the one resource of a read. */
export interface KeyAnswer {
  value: unknown;
  /** False when the search had pages left unread (the bound, the budget, or a page that failed). */
  complete: boolean;
}

/** Every key of the service's templates, read or not. */
export interface ResolvedPrefetch {
  keys: Readonly<Record<string, KeyAnswer>>;
  /** Keys whose answer was not what the template asks for, and why: their facts are unknown. */
  notRead: Readonly<Record<string, NotRead | PrefetchFailure>>;
}

/** A FHIR id (FHIR R4 `id`: 1-64 of A-Z, a-z, 0-9, `-`, `.`), and never a dot segment. */
const isFhirId = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9.-]{1,64}$/.test(value) && value !== '.' && value !== '..';

/** Fills `{{context.x}}` tokens with FHIR ids; undefined when a value is not one (it could change the URL's path). */
function fillTemplate(template: string, context: Readonly<Record<string, unknown>>): string | undefined {
  let unusable = false;
  const filled = template.replace(/\{\{context\.(\w+)\}\}/g, (_token, name: string) => {
    const value = context[name];
    if (!isFhirId(value)) unusable = true;
    return encodeURIComponent(String(value));
  });
  return unusable ? undefined : filled;
}

const isOperationOutcome = (value: unknown) => isObject(value) && value.resourceType === 'OperationOutcome';

/** What a template asks for: a search of a resource type (a Bundle answers it) or a read of one resource. */
interface TemplateKind {
  search: boolean;
  resourceType: string;
}

const kindOf = (template: string): TemplateKind => ({
  search: template.includes('?'),
  resourceType: template.split(/[/?]/)[0]!,
});

type Checked = { ok: true; value: Record<string, unknown>; next?: string } | { ok: false; reason: NotRead };

const entriesOf = (bundle: Record<string, unknown>): unknown[] => (Array.isArray(bundle.entry) ? bundle.entry : []);
const resourcesOf = (entries: readonly unknown[]) => entries.map((e) => (isObject(e) ? e.resource : undefined)).filter(isObject);

/** Whether `value` is what the template asks for; for a search, its `next` page link. */
function check(value: unknown, kind: TemplateKind, patientId: string): Checked {
  if (value === null) return { ok: false, reason: 'null' };
  if (isOperationOutcome(value)) return { ok: false, reason: 'operation-outcome' };
  if (!isObject(value)) return { ok: false, reason: 'not-a-bundle' };
  if (!kind.search) {
    if (value.resourceType !== kind.resourceType) return { ok: false, reason: 'wrong-resource' };
    return kind.resourceType === 'Patient' && value.id !== patientId
      ? { ok: false, reason: 'wrong-patient' }
      : { ok: true, value };
  }
  if (value.resourceType !== 'Bundle' || (value.entry !== undefined && !Array.isArray(value.entry))) {
    return { ok: false, reason: 'not-a-bundle' };
  }
  const next = (Array.isArray(value.link) ? value.link : []).find((l) => isObject(l) && l.relation === 'next');
  const url = isObject(next) && typeof next.url === 'string' ? next.url : undefined;
  return { ok: true, value, ...(url ? { next: url } : {}) };
}

/**
 * Whether a search's pages say they hold fewer matches than there are: an outcome entry of severity
 * error or fatal (some servers stop a search that way), or a `total` above the matches read.
 */
function saysCut(pages: readonly Record<string, unknown>[], resourceType: string): boolean {
  const resources = resourcesOf(pages.flatMap(entriesOf));
  const failed = resources.some(
    (r) =>
      r.resourceType === 'OperationOutcome' &&
      Array.isArray(r.issue) &&
      r.issue.some((i) => isObject(i) && (i.severity === 'error' || i.severity === 'fatal')),
  );
  const total = pages[0]?.total;
  return failed || (typeof total === 'number' && total > resources.filter((r) => r.resourceType === resourceType).length);
}

interface ReadOptions {
  accessToken?: string;
  timeoutMs: number;
  maxBytes: number;
}

/**
 * A key's answer: for a search, its further pages followed from `first` while they stay on the
 * server, up to MAX_PAGES in all, within PAGING_BUDGET_MS of `started`, the entries of every page
 * read as one Bundle; complete only when the last page read had no `next` link and no page said
 * the search was cut.
 */
async function answerOf(
  first: Checked & { ok: true },
  kind: TemplateKind,
  patientId: string,
  server: FhirServer | undefined,
  read: ReadOptions,
  started: number,
): Promise<KeyAnswer> {
  if (!kind.search) return { value: first.value, complete: true };
  const pages = [first.value];
  let next = first.next;
  while (next !== undefined) {
    const url = server && pageUrl(server, next);
    const left = PAGING_BUDGET_MS - (Date.now() - started);
    if (url === undefined || pages.length >= MAX_PAGES || left <= 0) break;
    let page: Checked;
    try {
      page = check(await fhirGet(server!, url, { ...read, timeoutMs: Math.min(read.timeoutMs, left) }), kind, patientId);
    } catch {
      break;
    }
    if (!page.ok) break;
    pages.push(page.value);
    next = page.next;
  }
  const bundle = { resourceType: 'Bundle', type: 'searchset', entry: pages.flatMap(entriesOf) };
  return { value: bundle, complete: next === undefined && !saysCut(pages, kind.resourceType) };
}

/** The server a request's fhirServer stands for, if the caller may have it read; undefined otherwise. */
export type FhirServerCheck = (fhirServer: string) => FhirServer | undefined;

export interface PrefetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Resolves every key of `templates`. A key the EHR did not send (or sent as an OperationOutcome) is
 * read from `fhirServer`, if `allowedServer` accepts it for the caller; if it still cannot be had,
 * PrefetchUnavailable (-> 412). A key the EHR answered with something else than the template asks
 * for is read again the same way when it can be, and otherwise not read: its facts stay unknown.
 * Keys are read in parallel, each within its own deadline; nothing is contacted, and the token
 * goes nowhere, unless the server is allowed.
 */
export async function resolvePrefetch(
  request: CdsRequest,
  templates: Readonly<Record<string, string>>,
  allowedServer: FhirServerCheck,
  options: PrefetchOptions = {},
): Promise<ResolvedPrefetch> {
  const given = request.prefetch ?? {};
  const patientId = request.context.patientId;
  const server = request.fhirServer ? allowedServer(request.fhirServer) : undefined;
  const read: ReadOptions = { accessToken: request.fhirAuthorization?.access_token, ...FHIR_READ_DEFAULTS, ...options };
  const keys: Record<string, KeyAnswer> = {};
  const notRead: Record<string, NotRead | PrefetchFailure> = {};
  const failures: Record<string, PrefetchFailure> = {};
  const unreachable: PrefetchFailure = !request.fhirServer ? 'no-fhir-server' : 'fhir-server-not-allowed';

  await Promise.all(
    Object.entries(templates).map(async ([key, template]) => {
      const kind = kindOf(template);
      const sent = Object.hasOwn(given, key) && !isOperationOutcome(given[key]);
      const started = Date.now();
      const prefetched = sent ? check(given[key], kind, patientId) : undefined;
      if (prefetched?.ok) {
        keys[key] = await answerOf(prefetched, kind, patientId, server, read, started);
        return;
      }
      const filled = fillTemplate(template, request.context);
      // A key the EHR answered, however oddly, is never a 412: its facts are unknown instead.
      const fail = (reason: PrefetchFailure | NotRead) => {
        if (sent) notRead[key] = prefetched && !prefetched.ok && !server ? prefetched.reason : reason;
        else failures[key] = reason as PrefetchFailure;
      };
      if (server === undefined) return fail(unreachable);
      if (filled === undefined) return fail('invalid-patient-id');
      try {
        const answer = check(await fhirRead(server, filled, read), kind, patientId);
        if (!answer.ok) notRead[key] = answer.reason;
        else keys[key] = await answerOf(answer, kind, patientId, server, read, started);
      } catch (error) {
        fail(error instanceof FhirReadFailed ? error.reason : 'network');
      }
    }),
  );
  // In the templates' order, whichever read finished first.
  const ordered = <T>(found: Record<string, T>) =>
    Object.fromEntries(Object.keys(templates).flatMap((key) => (Object.hasOwn(found, key) ? [[key, found[key]!]] : [])));
  if (Object.keys(failures).length > 0) throw new PrefetchUnavailable(ordered(failures));
  return { keys, notRead: ordered(notRead) };
}
