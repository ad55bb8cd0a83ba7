import { vi } from 'vitest';
import type { HttpEvent } from '../../functions/adapters/http/http-event.js';
import { loadEvent, type Invoke } from './events.js';
import { SANDBOX_ISSUER, startJwksServer, type JwksServer } from './jwks-server.js';

/** The public base URL the CDS Hooks handler is configured with in the tests. */
export const CDS_BASE_URL = 'https://cds.example.org';

/** A sample event as the tests change it: headers, path and body as a JSON string. */
export type CdsEvent = HttpEvent & { headers: Record<string, string>; rawPath: string; body?: string };

export interface SignedCdsHandler {
  invoke: Invoke;
  jwks: JwksServer;
  /**
   * A fresh copy of the sample event `name`, its body changed by `edit`, signed for its URL by the
   * stand-in EHR (or carrying `token`).
   */
  signed(name: string, edit?: (body: any) => void, token?: string): Promise<CdsEvent>;
  close(): Promise<void>;
}

/**
 * A fresh copy of the sample event `name`, its body changed by `edit`, signed for its URL (under
 * CDS_BASE_URL) the way the public sandbox signs calls, or carrying `token`.
 */
export async function signedSampleEvent(
  jwks: JwksServer,
  name: string,
  edit: (body: any) => void = () => undefined,
  token?: string,
): Promise<CdsEvent> {
  const event = loadEvent<CdsEvent>(name);
  if (event.body) {
    const body = JSON.parse(event.body);
    edit(body);
    event.body = JSON.stringify(body);
  }
  event.headers.authorization = `Bearer ${token ?? (await jwks.signToken({ aud: `${CDS_BASE_URL}${event.rawPath}` }))}`;
  return event;
}

/**
 * The CDS Hooks handler as deployed (EHR JWT verification on), trusting a stand-in EHR that signs
 * as the public sandbox does with a JWKS on 127.0.0.1, and whose FHIR servers are `fhirServers`.
 * Loaded afresh, since it reads its settings at cold start (the rest of the environment, a state
 * table included, is the process's).
 */
export async function signedCdsHandler(fhirServers: string[] = []): Promise<SignedCdsHandler> {
  const jwks = await startJwksServer({ audience: `${CDS_BASE_URL}/cds-services` });
  vi.stubEnv('CDS_JWT_VERIFICATION', 'on');
  vi.stubEnv('CDS_PUBLIC_BASE_URL', CDS_BASE_URL);
  vi.stubEnv('CDS_TRUSTED_ISSUERS', JSON.stringify([{ iss: SANDBOX_ISSUER, jwksUrl: jwks.jwksUrl, fhirServers }]));
  vi.resetModules();
  const invoke = (await import('../../functions/handlers/cds-hooks.js')).handler as unknown as Invoke;
  return {
    invoke,
    jwks,
    signed: (name, edit, token) => signedSampleEvent(jwks, name, edit, token),
    async close() {
      vi.unstubAllEnvs();
      await jwks.close();
    },
  };
}
