import { describe, expect, it } from 'vitest';
import { loadSecurityConfig, SecurityConfigError } from '../../../functions/adapters/cds-hooks/cds-config.js';
import { fhirServerTrust } from '../../../functions/adapters/cds-hooks/fhir-server-trust.js';

const EHR = 'https://ehr.example.org';
const OTHER_EHR = 'https://other-ehr.example.net';
const jwksUrl = (iss: string) => `${iss}/.well-known/jwks.json`;

/** CDS_TRUSTED_ISSUERS as an operator writes it. */
const issuers = (...entries: Record<string, unknown>[]) => ({ CDS_TRUSTED_ISSUERS: JSON.stringify(entries) });

describe('CDS_TRUSTED_ISSUERS fhirServers, checked at cold start', () => {
  it('keeps each issuer FHIR servers normalised, and none for an issuer that lists none', () => {
    const config = loadSecurityConfig(
      issuers(
        { iss: EHR, jwksUrl: jwksUrl(EHR), fhirServers: ['HTTPS://FHIR.EHR.example.org:443/r4/', 'http://127.0.0.1:8080/fhir'] },
        { iss: OTHER_EHR, jwksUrl: jwksUrl(OTHER_EHR) },
      ),
    );

    expect(config.trustedIssuers.map(({ iss, fhirServers }) => [iss, fhirServers])).toEqual([
      [EHR, ['https://fhir.ehr.example.org/r4', 'http://127.0.0.1:8080/fhir']],
      [OTHER_EHR, []],
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['a list that is not an array', 'https://fhir.ehr.example.org/r4', /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers must be an array/],
    ['an entry that is not a string', [42], /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[0\] must be a string/],
    [
      'an entry that is not a URL',
      ['fhir.ehr.example.org/r4'],
      /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[0\] must be an absolute URL/,
    ],
    [
      'plain http to a host other than this machine',
      ['https://fhir.ehr.example.org/r4', 'http://fhir.ehr.example.org/r4'],
      /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[1\] must use https \(plain http only for 127\.0\.0\.1, localhost or \[::1\]\)/,
    ],
    [
      'plain http to the metadata endpoint',
      ['http://169.254.169.254/latest'],
      /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[0\] must use https/,
    ],
    [
      'https to an internal address',
      ['https://10.0.0.8/fhir'],
      /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[0\] names an internal address/,
    ],
    [
      'credentials in the URL',
      ['https://cds:secret@fhir.ehr.example.org/r4'],
      /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[0\] must be a base URL, without credentials, query or fragment/,
    ],
    [
      'a scheme other than https',
      ['ftp://fhir.ehr.example.org/r4'],
      /^CDS_TRUSTED_ISSUERS\[0\]\.fhirServers\[0\] must be an https URL/,
    ],
  ])('refuses %s, naming the setting and never its value', (_what, fhirServers, message) => {
    const env = issuers({ iss: EHR, jwksUrl: jwksUrl(EHR), fhirServers });

    const error = (() => {
      try {
        loadSecurityConfig(env);
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();

    expect(error).toBeInstanceOf(SecurityConfigError);
    expect(error.message).toMatch(message);
    for (const value of [fhirServers].flat()) expect(error.message).not.toContain(String(value));
  });

  it('checks fhirServers even while verification is off', () => {
    expect(() =>
      loadSecurityConfig({
        CDS_JWT_VERIFICATION: 'off',
        ...issuers({ iss: EHR, jwksUrl: jwksUrl(EHR), fhirServers: ['http://fhir.ehr.example.org/r4'] }),
      }),
    ).toThrow(/fhirServers\[0\] must use https/);
  });
});

describe('fhirServerTrust: the FHIR server a call may have read', () => {
  const trust = fhirServerTrust(
    loadSecurityConfig(
      issuers(
        { iss: EHR, jwksUrl: jwksUrl(EHR), fhirServers: ['https://fhir.ehr.example.org/r4', 'http://127.0.0.1:8080/fhir'] },
        { iss: OTHER_EHR, jwksUrl: jwksUrl(OTHER_EHR), fhirServers: ['https://fhir.other-ehr.example.net/r4'] },
        { iss: 'https://prefetch-only.example.com', jwksUrl: jwksUrl('https://prefetch-only.example.com') },
      ),
    ),
  );

  it.each([
    'https://fhir.ehr.example.org/r4',
    'https://fhir.ehr.example.org/r4/',
    'HTTPS://FHIR.EHR.EXAMPLE.ORG:443/r4',
    'http://127.0.0.1:8080/fhir/',
  ])('reads %s for the EHR that lists it', (fhirServer) => {
    expect(trust(fhirServer, EHR)).toBeDefined();
  });

  it.each([
    ['another EHR server', 'https://fhir.other-ehr.example.net/r4', EHR],
    ['another path on the listed host', 'https://fhir.ehr.example.org/r5', EHR],
    ['another port on the listed host', 'https://fhir.ehr.example.org:8443/r4', EHR],
    ['the listed host over plain http', 'http://fhir.ehr.example.org/r4', EHR],
    ['the listed loopback server on another port', 'http://127.0.0.1:8081/fhir', EHR],
    ['an unlisted loopback server', 'http://localhost:8080/fhir', EHR],
    ['the metadata endpoint', 'http://169.254.169.254/latest/meta-data', EHR],
    ['a listed server with credentials added', 'https://user:pw@fhir.ehr.example.org/r4', EHR],
    ['anything, for an issuer that lists none', 'https://fhir.ehr.example.org/r4', 'https://prefetch-only.example.com'],
    ['anything, for an issuer not configured', 'https://fhir.ehr.example.org/r4', 'https://unknown.example'],
    ['anything, with no verified caller', 'https://fhir.ehr.example.org/r4', undefined],
  ])('does not read %s', (_what, fhirServer, caller) => {
    expect(trust(fhirServer, caller)).toBeUndefined();
  });

  it('binds each server to its own EHR', () => {
    expect(trust('https://fhir.other-ehr.example.net/r4', OTHER_EHR)).toEqual({
      base: 'https://fhir.other-ehr.example.net/r4',
      loopback: false,
    });
  });
});

describe('fhirServerTrust with verification off (npm start)', () => {
  const trust = fhirServerTrust(
    loadSecurityConfig({
      CDS_JWT_VERIFICATION: 'off',
      ...issuers({ iss: EHR, jwksUrl: jwksUrl(EHR), fhirServers: ['https://fhir.ehr.example.org/r4'] }),
    }),
  );

  it.each(['http://127.0.0.1:8080/fhir', 'http://localhost:8080/fhir', 'http://[::1]:8080/fhir'])(
    'reads the loopback server %s',
    (fhirServer) => {
      expect(trust(fhirServer, undefined)).toMatchObject({ loopback: true });
    },
  );

  it.each([
    'https://fhir.ehr.example.org/r4',
    'http://fhir.example.org/r4',
    'http://169.254.169.254/latest',
    'http://127.0.0.2/fhir',
  ])('reads nothing else, a listed server included: %s', (fhirServer) => {
    expect(trust(fhirServer, undefined)).toBeUndefined();
  });
});
