import { expect } from 'vitest';
import type { HttpResult } from '../../functions/adapters/http/http-event.js';

/**
 * What every answer to any request must be: never a 500; a 4xx an RFC 9457 problem that says what
 * is wrong (a 400 naming each offending field by JSON path); a 200 JSON.
 */
export function expectWellFormedAnswer(result: HttpResult): unknown {
  expect(result.statusCode, result.body).not.toBeGreaterThanOrEqual(500);
  const body = JSON.parse(result.body) as Record<string, unknown>;
  if (result.statusCode >= 400) {
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    expect(body).toMatchObject({
      type: 'about:blank',
      status: result.statusCode,
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect((body.detail as string).length).toBeGreaterThan(0);
    if (result.statusCode === 400) {
      const errors = body.errors as { path: string; expected: string; found: string }[];
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error.path).toMatch(/^\$/);
        expect(error.expected.length).toBeGreaterThan(0);
        expect(error.found.length).toBeGreaterThan(0);
      }
    }
  } else {
    expect(result.statusCode).toBe(200);
  }
  return body;
}
