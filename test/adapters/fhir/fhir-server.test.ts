import { describe, expect, it } from 'vitest';
import { fhirServerOf } from '../../../functions/adapters/fhir/fhir-server.js';

describe('fhirServerOf', () => {
  it.each([
    ['https://fhir.example.org/r4', 'https://fhir.example.org/r4'],
    ['https://fhir.example.org/r4/', 'https://fhir.example.org/r4'],
    ['https://fhir.example.org/r4//', 'https://fhir.example.org/r4'],
    ['HTTPS://FHIR.Example.ORG/r4', 'https://fhir.example.org/r4'],
    ['https://fhir.example.org:443/r4', 'https://fhir.example.org/r4'],
    ['https://fhir.example.org/', 'https://fhir.example.org'],
    ['https://fhir.example.org/a/../r4', 'https://fhir.example.org/r4'],
    ['https://fhir.example.org:8443/r4', 'https://fhir.example.org:8443/r4'],
    ['http://127.0.0.1:8080/fhir/', 'http://127.0.0.1:8080/fhir'],
    ['http://LOCALHOST/fhir', 'http://localhost/fhir'],
    ['http://[::1]:80/fhir', 'http://[::1]/fhir'],
    ['http://0x7f.1/fhir', 'http://127.0.0.1/fhir'],
  ])('normalises %s to %s', (value, base) => {
    const checked = fhirServerOf(value);

    expect(checked).toMatchObject({ ok: true, server: { base } });
  });

  it('keeps paths apart that differ after normalising (case, another path)', () => {
    const base = (value: string) => (fhirServerOf(value) as { server: { base: string } }).server.base;

    expect(base('https://fhir.example.org/R4')).not.toBe(base('https://fhir.example.org/r4'));
    expect(base('https://fhir.example.org/r4/other')).not.toBe(base('https://fhir.example.org/r4'));
  });

  it.each([
    ['http://127.0.0.1:8080/fhir', true],
    ['http://localhost/fhir', true],
    ['http://[::1]/fhir', true],
    ['https://fhir.example.org/r4', false],
  ])('marks %s as loopback: %s', (value, loopback) => {
    expect(fhirServerOf(value)).toMatchObject({ ok: true, server: { loopback } });
  });

  it.each([
    ['fhir.example.org/r4', 'not-a-url'],
    ['ftp://fhir.example.org/r4', 'not-http'],
    ['https://user:secret@fhir.example.org/r4', 'credentials-query-or-fragment'],
    ['https://fhir.example.org/r4?_format=json', 'credentials-query-or-fragment'],
    ['https://fhir.example.org/r4?', 'credentials-query-or-fragment'],
    ['https://fhir.example.org/r4#x', 'credentials-query-or-fragment'],
    ['http://fhir.example.org/r4', 'plain-http'],
    ['http://127.0.0.2/fhir', 'plain-http'],
    ['http://localhost.example.org/fhir', 'plain-http'],
    ['http://169.254.169.254/latest', 'plain-http'],
    ['https://169.254.169.254/latest', 'internal-address'],
    ['https://10.0.0.8/fhir', 'internal-address'],
    ['https://[fd00:ec2::254]/fhir', 'internal-address'],
    ['https://[::ffff:127.0.0.1]/fhir', 'internal-address'],
  ])('refuses %s (%s)', (value, problem) => {
    expect(fhirServerOf(value)).toEqual({ ok: false, problem });
  });
});
