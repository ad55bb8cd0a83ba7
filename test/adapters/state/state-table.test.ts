import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  stateTable,
  stateTableNameOf,
  StateStoreUnavailable,
  StateTableSettingError,
} from '../../../functions/adapters/state/state-table.js';
import { useLocalDynamo } from '../../support/local-dynamo.js';

/** Starts a local DynamoDB (dynalite) on 127.0.0.1, and a port that accepts connections but never answers. */

const TTL = 1_900_000_000;
const localDynamo = useLocalDynamo();

/** Runs `body` with the SDK pointed at `endpoint`, then points it back at the local DynamoDB. */
async function withEndpoint<T>(endpoint: string, body: () => Promise<T>): Promise<T> {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  try {
    return await body();
  } finally {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = localDynamo().endpoint;
  }
}

describe('stateTableNameOf (CDS_STATE_TABLE)', () => {
  it.each([undefined, '', '  '])('means no table when the setting is %j', (value) => {
    expect(stateTableNameOf({ CDS_STATE_TABLE: value })).toBeUndefined();
  });

  it('reads a table name', () => {
    expect(stateTableNameOf({ CDS_STATE_TABLE: ' imatinib-sm-cds-prod-state ' })).toBe('imatinib-sm-cds-prod-state');
  });

  it.each(['ab', 'has space', 'x'.repeat(256), 'arn:aws:dynamodb:eu-west-1:1:table/t'])(
    'refuses %j, naming the setting',
    (value) => {
      expect(() => stateTableNameOf({ CDS_STATE_TABLE: value })).toThrow(StateTableSettingError);
      expect(() => stateTableNameOf({ CDS_STATE_TABLE: value })).toThrow(/^CDS_STATE_TABLE must be a DynamoDB table name/);
    },
  );
});

describe('stateTable against a local DynamoDB', () => {
  it('writes an item once: a second write of the same key is refused and changes nothing', async () => {
    const table = stateTable(localDynamo().tableName);

    const first = await table.putIfAbsent('test#once', TTL, { a: 'first' });
    const second = await table.putIfAbsent('test#once', TTL + 1, { a: 'second' });

    expect([first, second]).toEqual([true, false]);
    expect(await table.get('test#once')).toEqual({ pk: 'test#once', ttl: TTL, a: 'first' });
  });

  it('adds to counters atomically: 40 concurrent additions from 4 clients all count', async () => {
    const tables = Array.from({ length: 4 }, () => stateTable(localDynamo().tableName));

    await Promise.all(
      Array.from({ length: 40 }, (_, i) => tables[i % 4]!.add('test#counters', TTL, { 'shown|r|1': 1, [`by|${i % 2}`]: 2 })),
    );

    expect(await tables[0]!.get('test#counters')).toEqual({
      pk: 'test#counters',
      ttl: TTL,
      'shown|r|1': 40,
      'by|0': 40,
      'by|1': 40,
    });
  });

  it('updates an item only while its condition holds', async () => {
    const table = stateTable(localDynamo().tableName);
    await table.putIfAbsent('test#conditional', TTL, { owner: 'a' });

    const wrongOwner = await table.updateIf('test#conditional', { outcome: 'x' }, { matches: { owner: 'b' }, absent: [] });
    const first = await table.updateIf('test#conditional', { outcome: 'y' }, { matches: { owner: 'a' }, absent: ['outcome'] });
    const second = await table.updateIf('test#conditional', { outcome: 'z' }, { matches: { owner: 'a' }, absent: ['outcome'] });
    const missing = await table.updateIf('test#nothing-here', { outcome: 'y' }, { matches: {}, absent: [] });

    expect([wrongOwner, first, second, missing]).toEqual([false, true, false, false]);
    expect((await table.get('test#conditional'))?.outcome).toBe('y');
    expect(await table.get('test#nothing-here')).toBeUndefined();
  });

  it('reads many items, more than one batch of 100, skipping absent keys', async () => {
    const table = stateTable(localDynamo().tableName);
    // Written ten at a time: 150 writes at once outran the client's 1 s request timeout against the
    // one dynalite process on a loaded CI machine, and the writes are not what this test is about.
    for (let start = 0; start < 150; start += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => table.putIfAbsent(`test#many-${start + j}`, TTL, { i: start + j })));
    }

    const items = await table.getMany([...Array.from({ length: 150 }, (_, i) => `test#many-${i}`), 'test#many-absent']);

    expect(items.map((item) => item.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it('fails with StateStoreUnavailable, naming the cause, when the table does not exist', async () => {
    const error = await stateTable('no-such-table')
      .putIfAbsent('test#x', TTL)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StateStoreUnavailable);
    expect((error as StateStoreUnavailable).reason).toBe('ResourceNotFoundException');
  });

  it('fails with StateStoreUnavailable when nothing listens at the endpoint', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });

    const error = await withEndpoint(`http://127.0.0.1:${closed}`, () =>
      stateTable(localDynamo().tableName)
        .putIfAbsent('test#y', TTL)
        .catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(StateStoreUnavailable);
    expect((error as StateStoreUnavailable).reason).toBe('ECONNREFUSED');
  });

  it('gives up on an endpoint that accepts connections but never answers, within about 2 s', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const started = Date.now();

    const error = await withEndpoint(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, () =>
      stateTable(localDynamo().tableName)
        .putIfAbsent('test#z', TTL)
        .catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(StateStoreUnavailable);
    expect(Date.now() - started).toBeLessThan(3_500);
    silent.close();
  });
});
