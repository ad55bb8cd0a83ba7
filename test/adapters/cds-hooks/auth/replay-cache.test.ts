import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  memoryReplayStore,
  ReplayCache,
  replayKey,
  tableReplayStore,
} from '../../../../functions/adapters/cds-hooks/auth/replay-cache.js';
import { stateTable } from '../../../../functions/adapters/state/state-table.js';
import { useLocalDynamo } from '../../../support/local-dynamo.js';

/** Starts a local DynamoDB (dynalite) on 127.0.0.1 for the shared store. */

const NOW = 1_800_000_000;
const ISSUER = 'https://ehr.example.org';
const localDynamo = useLocalDynamo();

describe('ReplayCache (one process)', () => {
  it('remembers a key and refuses it again until it expires', () => {
    const cache = new ReplayCache();

    expect(cache.remember('a', NOW + 60, NOW)).toBe(true);
    expect(cache.remember('a', NOW + 60, NOW + 59)).toBe(false);
  });

  it('forgets a key once its expiry has passed', () => {
    const cache = new ReplayCache();
    cache.remember('a', NOW + 60, NOW);

    expect(cache.remember('a', NOW + 120, NOW + 60)).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('still refuses a token after 20,000 other tokens, however many arrive while it is unexpired', () => {
    const cache = new ReplayCache();
    cache.remember('first', NOW + 300, NOW);

    for (let i = 0; i < 20_000; i++) cache.remember(`jti-${i}`, NOW + 1 + (i % 299), NOW);

    expect(cache.size).toBe(20_001);
    expect(cache.remember('first', NOW + 300, NOW + 299)).toBe(false);
  });

  it('drops only expired keys, the soonest first', () => {
    const cache = new ReplayCache();
    for (let i = 0; i < 100; i++) cache.remember(`k${i}`, NOW + i + 1, NOW);

    cache.remember('new', NOW + 500, NOW + 50);

    expect(cache.size).toBe(51);
    expect(cache.remember('k50', NOW + 51, NOW + 50)).toBe(false);
    expect(cache.remember('k49', NOW + 50, NOW + 50)).toBe(true);
  });

  it('answers as a plain list would, for any sequence of tokens', () => {
    // The model: drop expired entries, refuse a held key, remember any other.
    const step = fc.record({ key: fc.nat(30), ttl: fc.nat(300), advance: fc.nat(20) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const cache = new ReplayCache();
        let model: { key: string; expiresAt: number }[] = [];
        let now = NOW;
        for (const { key, ttl, advance } of steps) {
          now += advance;
          model = model.filter((entry) => entry.expiresAt > now);
          const held = model.some((entry) => entry.key === `k${key}`);
          if (!held) model.push({ key: `k${key}`, expiresAt: now + ttl });
          expect(cache.remember(`k${key}`, now + ttl, now)).toBe(!held);
          expect(cache.size).toBe(model.length);
        }
      }),
      { seed: 20260115 },
    );
  });
});

describe('memoryReplayStore', () => {
  it('treats the same jti from two issuers as two tokens', async () => {
    const store = memoryReplayStore();

    await expect(store.remember(ISSUER, 'same', NOW + 300, NOW)).resolves.toBe(true);
    await expect(store.remember('https://other.example.org', 'same', NOW + 300, NOW)).resolves.toBe(true);
    await expect(store.remember(ISSUER, 'same', NOW + 300, NOW + 1)).resolves.toBe(false);
  });
});

describe('tableReplayStore (shared by every container)', () => {
  it('stores each token id once, under jti#<issuer>#<jti>, with the token expiry as its TTL', async () => {
    const store = tableReplayStore(stateTable(localDynamo().tableName));

    const first = await store.remember(ISSUER, 'jti-stored', NOW + 300, NOW);
    const again = await store.remember(ISSUER, 'jti-stored', NOW + 300, NOW + 1);

    expect([first, again]).toEqual([true, false]);
    const items = (await localDynamo().scan()).filter((item) => item.pk?.S === replayKey(ISSUER, 'jti-stored'));
    expect(items).toEqual([{ pk: { S: `jti#${ISSUER}#jti-stored` }, ttl: { N: String(NOW + 300) } }]);
  });

  it('refuses in one container a token another container has seen (two clients, one table)', async () => {
    const [one, two] = [
      tableReplayStore(stateTable(localDynamo().tableName)),
      tableReplayStore(stateTable(localDynamo().tableName)),
    ];

    await expect(one.remember(ISSUER, 'jti-shared', NOW + 300, NOW)).resolves.toBe(true);
    await expect(two.remember(ISSUER, 'jti-shared', NOW + 300, NOW)).resolves.toBe(false);
  });

  it('lets exactly one of 20 simultaneous uses of a token through', async () => {
    const stores = Array.from({ length: 20 }, () => tableReplayStore(stateTable(localDynamo().tableName)));

    const outcomes = await Promise.all(stores.map((store) => store.remember(ISSUER, 'jti-race', NOW + 300, NOW)));

    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });
});
