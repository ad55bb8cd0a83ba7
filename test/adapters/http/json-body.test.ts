import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonBody,
  jsonDepth,
  jsonDepthByCharacters,
  jsonDepthByPasses,
  PASSES_BELOW_CHARACTERS,
} from '../../../functions/adapters/http/json-body.js';
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
    ['"[[\\', 0],
    ['["a\\\\"[]]', 2],
  ])('measures %s as %i', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('reads long texts a character at a time and short ones by passes, with the same answer', () => {
    const deepString = `"${'['.repeat(PASSES_BELOW_CHARACTERS)}"`;
    const long = `{"a":${deepString},"b":[[[1]]]}`;
    expect(long.length).toBeGreaterThanOrEqual(PASSES_BELOW_CHARACTERS);
    expect(jsonDepth(long)).toBe(4);
    expect(jsonDepthByPasses(long)).toBe(4);
    expect(jsonDepth('['.repeat(PASSES_BELOW_CHARACTERS))).toBe(PASSES_BELOW_CHARACTERS);
  });

  it('measures by passes as by characters, on JSON and on any text', () => {
    const text = fc.oneof(
      fc.json({ depthSize: 'large' }),
      fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', 'a', ',', ':') }),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (t) => jsonDepthByPasses(t) === jsonDepthByCharacters(t)),
      { numRuns: 3000 },
    );
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
