import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCdsConfig, SecurityConfigError } from '../../../functions/adapters/cds-hooks/cds-config.js';
import { StateTableSettingError } from '../../../functions/adapters/state/state-table.js';

const ISSUERS = JSON.stringify([{ iss: 'https://ehr.example.org', jwksUrl: 'https://ehr.example.org/jwks.json' }]);
const env = (settings: Record<string, string>) => ({ CDS_TRUSTED_ISSUERS: ISSUERS, ...settings });

describe('loadCdsConfig: CDS_PUBLIC_BASE_URL', () => {
  it.each([
    ['https://cds.example.org', 'https://cds.example.org'],
    ['https://cds.example.org/', 'https://cds.example.org'],
    ['https://cds.example.org/hooks/', 'https://cds.example.org/hooks'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('takes %s as the base of every audience', (value, base) => {
    expect(loadCdsConfig(env({ CDS_PUBLIC_BASE_URL: value })).publicBaseUrl).toBe(base);
  });

  it.each([
    ['a query', 'https://cds.example.org/?stage=prod', /without a query or a fragment/],
    ['an empty query', 'https://cds.example.org?', /without a query or a fragment/],
    ['a fragment', 'https://cds.example.org/#hooks', /without a query or a fragment/],
    ['an empty fragment', 'https://cds.example.org#', /without a query or a fragment/],
    ['userinfo', 'https://admin:secret@cds.example.org', /must not carry credentials/],
    ['a user name alone', 'https://admin@cds.example.org', /must not carry credentials/],
    ['an empty userinfo', 'https://@cds.example.org', /must not carry credentials/],
    ['plain http to a host name', 'http://cds.example.org', /must use https/],
    ['no URL at all', 'cds.example.org', /must be an absolute URL/],
  ])('refuses a base URL with %s, naming the setting and not its value', (_what, value, message) => {
    const load = () => loadCdsConfig(env({ CDS_PUBLIC_BASE_URL: value }));

    expect(load).toThrow(SecurityConfigError);
    expect(load).toThrow(/^CDS_PUBLIC_BASE_URL /);
    expect(load).toThrow(message);
    expect(() => load()).not.toThrow(/secret|stage=prod/);
  });
});

describe('loadCdsConfig: issuers and the state table', () => {
  it.each([
    ['a "#"', 'https://ehr.example.org/#tenant'],
    ['more than 1,024 bytes', `https://ehr.example.org/${'i'.repeat(1024)}`],
  ])('refuses an issuer with %s (the replay key jti#<iss>#<jti> must stay unambiguous and short)', (_what, iss) => {
    const load = () =>
      loadCdsConfig(
        env({
          CDS_PUBLIC_BASE_URL: 'https://cds.example.org',
          CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss, jwksUrl: 'https://e.example/j' }]),
        }),
      );

    expect(load).toThrow(/^CDS_TRUSTED_ISSUERS\[0\]\.iss must have no "#" and at most 1024 bytes/);
  });

  it('reads CDS_STATE_TABLE, and keeps nothing when it is empty', () => {
    const base = { CDS_PUBLIC_BASE_URL: 'https://cds.example.org' };

    expect(loadCdsConfig(env({ ...base, CDS_STATE_TABLE: 'imatinib-sm-cds-prod-state' })).stateTable).toBe(
      'imatinib-sm-cds-prod-state',
    );
    expect(loadCdsConfig(env({ ...base, CDS_STATE_TABLE: '' })).stateTable).toBeUndefined();
    expect(() => loadCdsConfig(env({ ...base, CDS_STATE_TABLE: 'no' }))).toThrow(StateTableSettingError);
  });
});

describe('the CDS Hooks function at cold start', () => {
  afterEach(() => vi.unstubAllEnvs());

  it.each(['https://cds.example.org/?x=1', 'https://cds.example.org/#f', 'https://u:p@cds.example.org'])(
    'fails to load with CDS_PUBLIC_BASE_URL=%s, naming the setting',
    async (value) => {
      vi.stubEnv('CDS_JWT_VERIFICATION', 'on');
      vi.stubEnv('CDS_TRUSTED_ISSUERS', ISSUERS);
      vi.stubEnv('CDS_PUBLIC_BASE_URL', value);
      vi.resetModules();

      await expect(import('../../../functions/handlers/cds-hooks.js')).rejects.toThrow(/^CDS_PUBLIC_BASE_URL /);
    },
  );
});
