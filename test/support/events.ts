import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../../functions/adapters/http/http-event.js';
import { localLambdaContext } from '../../scripts/lambda-functions.js';
import { SAMPLE_EVENTS_DIR, sampleEventFor } from '../../scripts/sample-event-dates.js';

export const EVENTS_DIR = SAMPLE_EVENTS_DIR;

/**
 * A fresh copy of `events/<name>.json`, so a test can change it freely, with the dates of its body
 * moved to today (scripts/sample-event-dates.ts): it answers on any day as on the day it was written for.
 */
export function loadEvent<T = HttpEvent>(name: string): T {
  const event = JSON.parse(readFileSync(path.join(EVENTS_DIR, `${name}.json`), 'utf8')) as { body?: unknown };
  return sampleEventFor(event, new Date()) as T;
}

export function eventNames(prefix: string): string[] {
  return readdirSync(EVENTS_DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** An API Gateway HTTP API (payload 2.0) event, for cases no sample event covers. */
export function httpApiEvent(method: string, rawPath: string, body?: string, headers: Record<string, string> = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'cds.example.org', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'cds.example.org',
      domainPrefix: 'cds',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'vitest' },
      requestId: 'test-request',
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: '28/Nov/2026:12:00:00 +0000',
      timeEpoch: 0,
    },
    body,
    isBase64Encoded: false,
  };
}

export function lambdaContext(requestId = 'test-request-id'): Context {
  return localLambdaContext('test', requestId);
}

export type Invoke = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** The parsed JSON body of a result. */
export function bodyOf<T = Record<string, unknown>>(result: HttpResult): T {
  return JSON.parse(result.body) as T;
}

/**
 * Turns a CDS Hooks request body into one without prefetch, whose record is to be read from
 * `fhirServer` (none when undefined) with the bearer token `accessToken`, as an EHR sends it.
 */
export function withoutPrefetch<T extends Record<string, unknown>>(
  body: T,
  fhirServer: string | undefined,
  accessToken = 'fhir-access-token',
): T {
  delete body.prefetch;
  if (fhirServer === undefined) delete body.fhirServer;
  else Object.assign(body, { fhirServer });
  Object.assign(body, {
    fhirAuthorization: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'cds-service',
    },
  });
  return body;
}
