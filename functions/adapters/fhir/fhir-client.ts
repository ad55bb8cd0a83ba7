/**
 * Reads from the EHR's FHIR server what the prefetch did not bring: GET only, with the bearer token
 * the EHR gave for it, a deadline, a size cap, and no redirects (a redirect could carry the token
 * to another host). Never logs URLs, tokens or bodies.
 */

export interface FhirReadOptions {
  /** Bearer token from `fhirAuthorization`; the public sandbox's open servers need none. */
  accessToken?: string;
  timeoutMs: number;
  maxBytes: number;
}

export class FhirReadFailed extends Error {
  constructor(readonly reason: 'timeout' | 'network' | 'status' | 'too-large' | 'not-json') {
    super(`FHIR read failed: ${reason}`);
    this.name = 'FhirReadFailed';
  }
}

export const FHIR_READ_DEFAULTS = Object.freeze({ timeoutMs: 2_000, maxBytes: 2 * 1024 * 1024 });

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new FhirReadFailed('too-large');
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FhirReadFailed('too-large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GETs `relativeUrl` (a prefetch query, tokens filled in) from `fhirServer` and parses the JSON. */
export async function fhirRead(fhirServer: string, relativeUrl: string, options: FhirReadOptions): Promise<unknown> {
  const url = `${fhirServer.replace(/\/+$/, '')}/${relativeUrl}`;
  const headers: Record<string, string> = { Accept: 'application/fhir+json' };
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    throw new FhirReadFailed((error as Error).name === 'TimeoutError' ? 'timeout' : 'network');
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new FhirReadFailed('status');
  }
  let text: string;
  try {
    text = await readCapped(response, options.maxBytes);
  } catch (error) {
    if (error instanceof FhirReadFailed) throw error;
    throw new FhirReadFailed((error as Error).name === 'TimeoutError' ? 'timeout' : 'network');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FhirReadFailed('not-json');
  }
}
