import fc from 'fast-check';

/**
 * Hostile input for fuzzing the HTTP entry points: values of every JSON type and then some,
 * prototype-polluting keys, deep nesting, huge and non-finite numbers, long strings and arrays,
 * unicode, and bodies that are not JSON at all.
 */

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const weirdNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, -0, 0.1 + 0.2, 5e-324, 1e21, -1);
const longString = fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'x'.repeat(n));

/** Any JSON value, with the awkward ones more likely than chance would make them. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: weirdNumber },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: fc.array(fc.constant('F522C'), { minLength: 40, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('unknown', 'detected', 'imatinib', '', ' ', 'null', 'NaN') },
);

/** An object whose keys are sometimes the prototype-polluting ones. */
export const hostileObject: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof(
    fc.constantFrom(...PROTO_KEYS, 'patient', 'molecular', 'order', 'kitD816v', 'hook', 'context'),
    fc.string({ maxLength: 12 }),
  ),
  hostileValue,
  { maxKeys: 6 },
);

/** JSON text nested `depth` levels deep. */
export const deeplyNested = fc.integer({ min: 17, max: 5_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** Replaces the value at a random path of `value` with a hostile one, or drops it. */
export function mutateSomewhere(value: unknown, choice: number, replacement: unknown, drop: boolean): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
  const keys = Object.keys(copy);
  if (keys.length === 0) return replacement;
  const key = keys[choice % keys.length]!;
  const descend = choice % 3 !== 0 && copy[key] !== null && typeof copy[key] === 'object';
  if (descend) copy[key] = mutateSomewhere(copy[key], Math.floor(choice / 3), replacement, drop);
  else if (drop) delete copy[key];
  else copy[key] = replacement;
  return copy;
}

/** A body as sent: JSON of some value, or raw text that may not be JSON. */
export const rawBody = fc.oneof(
  fc.constant(''),
  fc.constant('   '),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '[1,2', '{"patient":}', 'null', 'true', '"text"', '123', '{"a":1e999}', '\u0000', '\ufeff{}'),
  deeplyNested,
);

/** Snapshot of the own keys of the built-in prototypes, to show fuzzing left them unchanged. */
export function prototypeKeys(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Object.getOwnPropertyNames(proto).sort().join(','))
    .join('|');
}
