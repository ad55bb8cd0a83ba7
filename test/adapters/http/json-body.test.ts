import { describe, expect, it } from 'vitest';
import { jsonBody, jsonDepth } from '../../../functions/adapters/http/json-body.js';
import { HttpError } from '../../../functions/adapters/http/errors.js';
import type { JsonEvent } from '../../../functions/adapters/http/http-event.js';
import { httpApiEvent } from '../../support/events.js';

const parse = jsonBody({ maxBytes: 1024, maxDepth: 4 }).before!;

function run(event: JsonEvent): HttpError | JsonEvent {
  try {
    void parse({ event, context: {} as never, response: undefined, error: null, internal: {} });
    return event;
  } catch (error) {
    return error as HttpError;
  }
}

describe('jsonDepth', () => {
  it.each([
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['"[[[[["', 0],
    ['{"a":"}}}{{{\\"[["}', 1],
  ])('measures %s as %i', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });
});

describe('jsonBody middleware', () => {
  it('parses a JSON body into event.jsonBody', () => {
    expect((run(httpApiEvent('POST', '/x', '{"a":1}')) as JsonEvent).jsonBody).toEqual({ a: 1 });
  });

  it('accepts application/fhir+json and a charset parameter', () => {
    expect(run(httpApiEvent('POST', '/x', '{}', { 'content-type': 'application/fhir+json; charset=utf-8' }))).not.toBeInstanceOf(
      HttpError,
    );
  });

  it.each([
    ['an empty body', httpApiEvent('POST', '/x', ''), 400],
    ['a body nested 5 deep', httpApiEvent('POST', '/x', '{"a":{"b":{"c":{"d":{}}}}}'), 400],
    ['a body over the size limit', httpApiEvent('POST', '/x', `"${'x'.repeat(1024)}"`), 413],
    ['a text/csv body', httpApiEvent('POST', '/x', '{}', { 'content-type': 'text/csv' }), 415],
  ])('rejects %s', (_name, event, status) => {
    expect((run(event) as HttpError).statusCode).toBe(status);
  });

  it('leaves a GET alone', () => {
    expect(run(httpApiEvent('GET', '/x', undefined, { 'content-type': 'text/csv' }))).not.toBeInstanceOf(HttpError);
  });
});
