import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FHIR_READ_DEFAULTS,
  fhirRead,
  FhirReadFailed,
  fhirUrl,
  pageUrl,
  type FhirReadOptions,
} from '../../../functions/adapters/fhir/fhir-client.js';
import type { FhirServer } from '../../../functions/adapters/fhir/fhir-server.js';
import { startFhirServer, type FhirServer as TestFhirServer } from '../../support/fhir-server.js';
import { stubResolver } from '../../support/resolver.js';

/**
 * The address check made as each connection opens. Every refused target below is a server on
 * 127.0.0.1 that counts the connections it accepts, or an address no connection could reach here;
 * the resolver is injected, so no DNS is asked.
 */

const PATIENT = { resourceType: 'Patient', id: 'p1' };
const TOKEN = 'fhir-access-token';

/** The allowed server; a server every refused read below would reach, were it not refused; a redirect's target. */
let fhir: TestFhirServer;
let refused: TestFhirServer;
let elsewhere: TestFhirServer;

beforeAll(async () => {
  [fhir, refused, elsewhere] = await Promise.all([
    startFhirServer({ patient: PATIENT }),
    startFhirServer({ patient: PATIENT }),
    startFhirServer({ patient: PATIENT }),
  ]);
});
afterAll(() => Promise.all([fhir, refused, elsewhere].map((server) => server.close())));
afterEach(() => fhir.setBehaviour('serve'));

const loopbackEntry = (host = '127.0.0.1', server = fhir): FhirServer => ({
  base: `http://${host}:${server.port}/fhir`,
  loopback: true,
});
/** What a listed https server whose name the resolver answers looks like to the client. */
const publicEntry = (host = 'fhir.ehr.test', server = refused): FhirServer => ({
  base: `https://${host}:${server.port}/fhir`,
  loopback: false,
});

const options = (extra: Partial<FhirReadOptions> = {}): FhirReadOptions => ({
  ...FHIR_READ_DEFAULTS,
  accessToken: TOKEN,
  ...extra,
});

async function failureOf(read: Promise<unknown>): Promise<string> {
  try {
    await read;
  } catch (error) {
    if (error instanceof FhirReadFailed) return error.reason;
    throw error;
  }
  return 'read';
}

describe('fhirRead from an allowed server', () => {
  it('GETs the query from a loopback server written as 127.0.0.1, with the bearer token', async () => {
    const before = fhir.authorizations.length;

    const patient = await fhirRead(loopbackEntry(), 'Patient/p1', options());

    expect(patient).toEqual(PATIENT);
    expect(fhir.paths.at(-1)).toBe('/fhir/Patient/p1');
    expect(fhir.authorizations.slice(before)).toEqual([`Bearer ${TOKEN}`]);
  });

  it('reaches a loopback server written as localhost through the resolver, on 127.0.0.1', async () => {
    const resolver = stubResolver(['127.0.0.1']);

    const patient = await fhirRead(loopbackEntry('localhost'), 'Patient/p1', options({ lookup: resolver.lookup }));

    expect(patient).toEqual(PATIENT);
    expect(resolver.hostnames).toEqual(['localhost']);
  });

  it('keeps the server origin whatever the filled-in query holds', async () => {
    const connections = elsewhere.connections;

    await failureOf(fhirRead(loopbackEntry(), `Patient/${encodeURIComponent(`..//127.0.0.1:${elsewhere.port}/x`)}`, options()));
    await failureOf(fhirRead(loopbackEntry(), `Patient/..//127.0.0.1:${elsewhere.port}/x`, options()));

    expect(elsewhere.connections).toBe(connections);
  });

  it('sends no Authorization header when the EHR gave no token', async () => {
    await fhirRead(loopbackEntry(), 'Patient/p1', options({ accessToken: undefined }));

    expect(fhir.authorizations.at(-1)).toBeUndefined();
  });
});

describe('fhirRead refuses internal addresses before connecting', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback, IPv4-mapped'],
    ['::1', 'loopback (IPv6)'],
    ['10.0.0.8', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.20', 'private'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['169.254.169.254', 'link-local: the cloud metadata endpoint'],
    ['::ffff:169.254.169.254', 'the metadata endpoint, IPv4-mapped'],
    ['64:ff9b::a9fe:a9fe', 'the metadata endpoint, through NAT64'],
    ['fd00:ec2::254', 'unique-local: the AWS IPv6 metadata endpoint'],
    ['fe80::1', 'link-local (IPv6)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified (IPv6)'],
  ])('refuses a public name that resolves to %s (%s)', async (address) => {
    const resolver = stubResolver([address]);

    const reason = await failureOf(fhirRead(publicEntry(), 'Patient/p1', options({ lookup: resolver.lookup })));

    expect(reason).toBe('address-refused');
    expect(resolver.hostnames).toEqual(['fhir.ehr.test']);
    expect(refused.connections).toBe(0);
  });

  it('refuses a name when any one of its addresses is internal', async () => {
    const resolver = stubResolver(['203.0.113.7', '127.0.0.1']);

    expect(await failureOf(fhirRead(publicEntry(), 'Patient/p1', options({ lookup: resolver.lookup })))).toBe('address-refused');
    expect(refused.connections).toBe(0);
  });

  it.each([
    [
      '127.0.0.1 reached through a non-loopback entry',
      () => ({ base: `https://127.0.0.1:${refused.port}/fhir`, loopback: false }),
    ],
    ['[::ffff:127.0.0.1]', () => ({ base: `https://[::ffff:7f00:1]:${refused.port}/fhir`, loopback: false })],
    ['169.254.169.254', () => ({ base: 'https://169.254.169.254/latest', loopback: false })],
    ['[fd00:ec2::254]', () => ({ base: 'https://[fd00:ec2::254]/latest', loopback: false })],
  ])('refuses a server written as the address %s, without looking anything up', async (_what, server) => {
    const resolver = stubResolver(['203.0.113.7']);

    expect(await failureOf(fhirRead(server(), 'Patient/p1', options({ lookup: resolver.lookup })))).toBe('address-refused');
    expect(resolver.hostnames).toEqual([]);
    expect(refused.connections).toBe(0);
  });

  it('lets a loopback entry reach this machine only, whatever its name resolves to', async () => {
    const resolver = stubResolver(['10.0.0.8']);

    expect(
      await failureOf(fhirRead(loopbackEntry('localhost', refused), 'Patient/p1', options({ lookup: resolver.lookup }))),
    ).toBe('address-refused');
    expect(refused.connections).toBe(0);
  });

  it('checks every connection: a DNS answer that changes after the first read is refused', async () => {
    const resolver = stubResolver(['127.0.0.1'], ['169.254.169.254']);
    const server = loopbackEntry('localhost');
    const connections = fhir.connections;

    const first = await failureOf(fhirRead(server, 'Patient/p1', options({ lookup: resolver.lookup })));
    const second = await failureOf(fhirRead(server, 'Patient/p1', options({ lookup: resolver.lookup })));
    const third = await failureOf(fhirRead(server, 'Patient/p1', options({ lookup: resolver.lookup })));

    expect([first, second, third]).toEqual(['read', 'address-refused', 'address-refused']);
    expect(resolver.hostnames).toEqual(['localhost', 'localhost', 'localhost']);
    expect(fhir.connections - connections).toBe(1);
  });
});

describe('fhirRead keeps the token on the server', () => {
  it('refuses a redirect without following it, so the token never reaches the other host', async () => {
    fhir.setBehaviour('redirect', elsewhere.url);
    const connections = elsewhere.connections;

    expect(await failureOf(fhirRead(loopbackEntry(), 'Patient/p1', options()))).toBe('redirect');
    expect(elsewhere.connections).toBe(connections);
    expect(elsewhere.authorizations).not.toContain(`Bearer ${TOKEN}`);
  });

  it('says nothing of the URL or the token in the failure', async () => {
    fhir.setBehaviour('fail');

    const error = (await fhirRead(loopbackEntry(), 'Patient/p1', options()).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    expect(error).toBeInstanceOf(FhirReadFailed);
    expect(`${error.message} ${error.stack ?? ''}`).not.toMatch(/fhir-access-token|127\.0\.0\.1|Patient\/p1/);
  });
});

describe('URLs no id can change', () => {
  const server: FhirServer = { base: 'https://fhir.ehr.test/r4', loopback: false };

  it.each(['Patient/..', 'Patient/.', 'Patient/%2e%2e', 'Patient/%2E.', 'Observation/../Patient'])(
    'builds no URL for %s, whose path parsing would change',
    (relative) => {
      expect(fhirUrl(server, relative)).toBeUndefined();
    },
  );

  it('keeps a query that holds dots or slashes in the query', () => {
    expect(fhirUrl(server, 'Observation?patient=..&code=a/b')?.pathname).toBe('/r4/Observation');
  });

  it('refuses to read a path-changing URL, and sends nothing', async () => {
    const before = fhir.connections;

    expect(await failureOf(fhirRead(loopbackEntry(), 'Patient/..', options()))).toBe('path-changed');
    expect(fhir.connections).toBe(before);
  });

  it.each([
    ['another host', 'https://elsewhere.test/r4/Observation?_offset=100', false],
    ['another port', 'https://fhir.ehr.test:8443/r4/Observation?_offset=100', false],
    ['a path outside the base', 'https://fhir.ehr.test/admin/Observation', false],
    ['credentials', 'https://user:pw@fhir.ehr.test/r4/Observation', false],
    ['the same server', 'https://fhir.ehr.test/r4/Observation?_offset=100', true],
    ["the server's own paging endpoint", 'https://fhir.ehr.test/r4?_getpages=abc', true],
  ])('follows a next link to %s only if it stays on the server', (_what, link, followed) => {
    expect(pageUrl(server, link) !== undefined).toBe(followed);
  });
});
