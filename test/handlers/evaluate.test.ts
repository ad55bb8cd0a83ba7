import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { evaluate } from '../../functions/core/index.js';
import { handler } from '../../functions/handlers/evaluate.js';
import type { EvaluationResult, PatientFacts } from '../../functions/core/types.js';
import { bodyOf, eventNames, httpApiEvent, lambdaContext, loadEvent, type Invoke } from '../support/events.js';
import { schemaValidator } from '../support/schemas.js';

const invoke = handler as unknown as Invoke;
const validResult = schemaValidator('evaluation-result.schema.json');

const V1_BODIES = path.resolve(import.meta.dirname, '../fixtures/v1-bodies');
const validSamples = eventNames('evaluate.').filter((n) => !n.includes('invalid') && !n.includes('wrong-method'));

describe('POST /evaluate handler', () => {
  it.each(validSamples)('answers %s with what evaluate() gives for its body', async (name) => {
    const event = loadEvent(name);

    const result = await invoke(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(result.headers['Content-Type']).toBe('application/json');
    const body = bodyOf<EvaluationResult>(result);
    expect(validResult(body), JSON.stringify(validResult.errors)).toBe(true);
    expect(body).toEqual(await evaluate(JSON.parse(event.body!) as PatientFacts));
  });

  it.each(readdirSync(V1_BODIES))('still answers the v1 body of %s with 200', async (file) => {
    const body = readFileSync(path.join(V1_BODIES, file), 'utf8');

    const result = await invoke(httpApiEvent('POST', '/evaluate', body), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(validResult(bodyOf(result)), JSON.stringify(validResult.errors)).toBe(true);
  });

  it('reports the facts it missed for the KIT-unknown sample', async () => {
    const body = bodyOf<EvaluationResult>(await invoke(loadEvent('evaluate.kit-status-unknown'), lambdaContext()));

    expect(body.missingFacts).toContainEqual({
      fact: 'molecular.kitD816V',
      neededBy: ['kit-d816v-caveat', 'kit-d816v-negative-candidate'],
    });
  });

  it('names the misspelt field and the out-of-range age in a 400', async () => {
    const result = await invoke(loadEvent('evaluate.invalid-misspelt-field'), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(result.headers['Content-Type']).toBe('application/problem+json');
    const body = bodyOf<{ errors: { path: string; expected: string; found: string }[] }>(result);
    expect(body.errors.map((e) => e.path)).toEqual(['$.molecular.kitD816v', '$.patient.ageYears']);
    expect(body.errors[1]).toEqual({ path: '$.patient.ageYears', expected: 'a number <= 130', found: 'a number' });
  });

  it('answers 400 to a body that is not JSON, without quoting it', async () => {
    const result = await invoke(loadEvent('evaluate.invalid-not-json'), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(result.body).not.toContain('kitD816V=detected');
    expect(bodyOf(result).errors).toEqual([{ path: '$', expected: 'a JSON object', found: 'text that is not JSON' }]);
  });

  it('answers 415 to an XML body', async () => {
    const result = await invoke(loadEvent('evaluate.invalid-wrong-content-type'), lambdaContext());

    expect(result.statusCode).toBe(415);
  });

  it('answers 405 with Allow: POST to a GET', async () => {
    const result = await invoke(loadEvent('evaluate.wrong-method'), lambdaContext());

    expect(result.statusCode).toBe(405);
    expect(result.headers.Allow).toBe('POST');
  });

  it('answers 404 to a path it does not serve', async () => {
    const result = await invoke(httpApiEvent('POST', '/evaluations', '{}'), lambdaContext());

    expect(result.statusCode).toBe(404);
  });

  it('answers 413 to a body over 64 KB, and accepts one just under', async () => {
    const padding = (n: number) =>
      JSON.stringify({ molecular: { kitOtherMutations: ['F522C'] } }).replace('{', `{${' '.repeat(n)}`);
    const atLimit = padding(64 * 1024 - padding(0).length);
    const overLimit = padding(64 * 1024 - padding(0).length + 1);

    expect(Buffer.byteLength(atLimit)).toBe(64 * 1024);
    expect((await invoke(httpApiEvent('POST', '/evaluate', atLimit), lambdaContext())).statusCode).toBe(200);
    expect((await invoke(httpApiEvent('POST', '/evaluate', overLimit), lambdaContext())).statusCode).toBe(413);
  });

  it('answers 400 to a list longer than the contract allows, naming it', async () => {
    const body = JSON.stringify({ molecular: { kitOtherMutations: Array.from({ length: 51 }, (_, i) => `V${i}A`) } });

    const result = await invoke(httpApiEvent('POST', '/evaluate', body), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([
      { path: '$.molecular.kitOtherMutations', expected: 'at most 50 items', found: 'an array of 51 items' },
    ]);
  });

  it('answers 400 to JSON nested deeper than 16 levels, before parsing it', async () => {
    const body = `${'{"a":'.repeat(17)}1${'}'.repeat(17)}`;

    const result = await invoke(httpApiEvent('POST', '/evaluate', body), lambdaContext());

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).detail).toMatch(/deeper than 16 levels/);
  });

  it('reads a base64-encoded body', async () => {
    const event = httpApiEvent('POST', '/evaluate', Buffer.from('{"molecular":{"kitD816V":"detected"}}').toString('base64'));
    (event as { isBase64Encoded: boolean }).isBase64Encoded = true;

    const body = bodyOf<EvaluationResult>(await invoke(event, lambdaContext()));

    expect(body.findings.map((f) => f.ruleId)).toContain('kit-d816v-caveat');
  });

  it('accepts curl -d without a JSON content type, but not text/plain', async () => {
    const facts = '{"molecular":{"kitD816V":"detected"}}';
    const form = httpApiEvent('POST', '/evaluate', facts, { 'content-type': 'application/x-www-form-urlencoded' });
    const text = httpApiEvent('POST', '/evaluate', facts, { 'content-type': 'text/plain' });

    expect((await invoke(form, lambdaContext())).statusCode).toBe(200);
    expect((await invoke(text, lambdaContext())).statusCode).toBe(415);
  });

  it('sends CORS and security headers on success and on error', async () => {
    for (const event of [loadEvent('evaluate.kit-d816v-positive'), loadEvent('evaluate.invalid-not-json')]) {
      const result = await invoke(event, lambdaContext());
      expect(result.headers['Access-Control-Allow-Origin']).toBe('*');
      expect(result.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(result.headers['Strict-Transport-Security']).toMatch(/max-age=/);
    }
  });

  it('answers a fault with a bare 500 and the request id, never the error message', async () => {
    vi.resetModules();
    vi.doMock('../../functions/core/index.js', async (importOriginal) => ({
      ...(await importOriginal<object>()),
      evaluate: () => Promise.reject(new TypeError('secret internal detail kitD816V=detected')),
    }));
    const { handler: failing } = await import('../../functions/handlers/evaluate.js');

    const result = await (failing as unknown as Invoke)(loadEvent('evaluate.kit-d816v-positive'), lambdaContext('req-500'));

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
    expect(bodyOf(result)).toMatchObject({ status: 500, requestId: 'req-500' });
    vi.doUnmock('../../functions/core/index.js');
  });
});
