/** Small statistics and timing helpers for scripts/bench.ts. */

export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Quantile of already sorted values (nearest rank). */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Per-call timings of one contestant, in microseconds, gathered over several slices. The buffer
 * is allocated once, so recording a sample allocates nothing.
 */
export class Samples {
  #values: Float64Array;
  #count = 0;
  /** Calls made and wall time spent in timed slices, for ops/s. */
  calls = 0;
  elapsedNs = 0n;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  add(us: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = us;
  }

  summary(): { p50Us: number; p99Us: number; opsPerSec: number } {
    const sorted = this.#values.slice(0, this.#count).sort();
    return {
      p50Us: round(quantile(sorted, 0.5), 3),
      p99Us: round(quantile(sorted, 0.99), 3),
      opsPerSec: Math.round(this.calls / (Number(this.elapsedNs) / 1e9)),
    };
  }
}

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
