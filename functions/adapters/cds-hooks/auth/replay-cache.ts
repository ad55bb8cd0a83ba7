/**
 * The token ids (jti) seen recently, each kept until its token could no longer be accepted, so a
 * captured token cannot be sent twice. Bounded: when full, expired entries go first, then the
 * entries closest to expiry, whose replay window is the shortest left. The set lives in one
 * process; each Lambda instance has its own.
 */
export class ReplayCache {
  /** Expiry (epoch seconds) of each remembered key. */
  private readonly expiries = new Map<string, number>();
  /** The same entries as a binary min-heap on expiry, so the next to expire is found in O(log n). */
  private readonly heap: { key: string; expiresAt: number }[] = [];

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.expiries.size;
  }

  /**
   * Remembers `key` until `expiresAt` (epoch seconds). Returns false, remembering nothing, when the
   * key is already remembered and not expired at `now`: the token was replayed.
   */
  remember(key: string, expiresAt: number, now: number): boolean {
    this.dropExpired(now);
    if (this.expiries.has(key)) return false;
    while (this.expiries.size >= this.maxEntries) this.dropNextToExpire();
    this.expiries.set(key, expiresAt);
    this.push({ key, expiresAt });
    return true;
  }

  private dropExpired(now: number): void {
    while (this.heap.length > 0 && this.heap[0]!.expiresAt <= now) this.dropNextToExpire();
  }

  private dropNextToExpire(): void {
    const first = this.heap[0];
    if (!first) return;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    this.expiries.delete(first.key);
  }

  private push(entry: { key: string; expiresAt: number }): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.expiresAt <= heap[i]!.expiresAt) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left]!.expiresAt < heap[smallest]!.expiresAt) smallest = left;
      if (right < heap.length && heap[right]!.expiresAt < heap[smallest]!.expiresAt) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}
