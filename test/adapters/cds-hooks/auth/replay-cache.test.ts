import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../../functions/adapters/cds-hooks/auth/replay-cache.js';

const NOW = 1_800_000_000;

describe('ReplayCache', () => {
  it('remembers a key and refuses it again until it expires', () => {
    const cache = new ReplayCache(10);

    expect(cache.remember('a', NOW + 60, NOW)).toBe(true);
    expect(cache.remember('a', NOW + 60, NOW + 59)).toBe(false);
  });

  it('forgets a key once its expiry has passed', () => {
    const cache = new ReplayCache(10);
    cache.remember('a', NOW + 60, NOW);

    expect(cache.remember('a', NOW + 120, NOW + 60)).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('drops expired keys before evicting any live one', () => {
    const cache = new ReplayCache(2);
    cache.remember('expiring', NOW + 10, NOW);
    cache.remember('live', NOW + 300, NOW);

    cache.remember('new', NOW + 300, NOW + 10);

    expect(cache.remember('live', NOW + 300, NOW + 10)).toBe(false);
  });

  it('when full, evicts the key closest to expiry, whatever the order it came in', () => {
    const cache = new ReplayCache(3);
    cache.remember('late', NOW + 300, NOW);
    cache.remember('soon', NOW + 100, NOW);
    cache.remember('middle', NOW + 200, NOW);

    cache.remember('new', NOW + 300, NOW);

    expect(cache.remember('late', NOW + 300, NOW)).toBe(false);
    expect(cache.remember('middle', NOW + 200, NOW)).toBe(false);
    expect(cache.remember('soon', NOW + 100, NOW)).toBe(true);
  });

  it('never holds more than its maximum, however many keys arrive', () => {
    const cache = new ReplayCache(100);

    for (let i = 0; i < 5_000; i++) cache.remember(`jti-${i}`, NOW + ((i * 7919) % 300), NOW);

    expect(cache.size).toBe(100);
  });

  it('answers as a plain list with the same policy would, for any sequence of tokens', () => {
    // The model: drop expired entries, refuse a held key, else drop the soonest to expire while full.
    const step = fc.record({ key: fc.nat(30), ttl: fc.nat(300), advance: fc.nat(20) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(step, { maxLength: 200 }), (max, steps) => {
        const cache = new ReplayCache(max);
        let model: { key: string; expiresAt: number }[] = [];
        let now = NOW;
        steps.forEach(({ key, ttl, advance }, i) => {
          now += advance;
          // The fraction keeps expiries distinct, so that which entry is soonest is never a tie.
          const expiresAt = now + ttl + i / 1000;
          model = model.filter((entry) => entry.expiresAt > now);
          const held = model.some((entry) => entry.key === `k${key}`);
          if (!held) {
            while (model.length >= max)
              model.splice(model.indexOf(model.reduce((a, b) => (b.expiresAt < a.expiresAt ? b : a))), 1);
            model.push({ key: `k${key}`, expiresAt });
          }
          expect(cache.remember(`k${key}`, expiresAt, now)).toBe(!held);
          expect(cache.size).toBe(model.length);
        });
      }),
      { seed: 20260115 },
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a maximum of %s', (max) => {
    expect(() => new ReplayCache(max)).toThrow(RangeError);
  });
});
