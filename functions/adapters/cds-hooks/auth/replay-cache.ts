import type { StateTable } from '../../state/state-table.js';

/**
 * Where the token ids (jti) seen are remembered, each until its token expires, so that a captured
 * token cannot be sent twice (CDS Hooks 2.0, "Trusting CDS Clients": services should remember
 * `jti`s for as long as they accept the token).
 */
export interface ReplayStore {
  /**
   * Remembers the token id `jti` of `issuer` until `expiresAt` (epoch seconds). Resolves false,
   * remembering nothing, when it is already remembered: the token was replayed. Rejects with
   * StateStoreUnavailable when the store cannot be reached.
   */
  remember(issuer: string, jti: string, expiresAt: number, now: number): Promise<boolean>;
}

/** The key of a token id: `jti#<issuer>#<jti>` (issuers hold no "#", cds-config.ts). */
export const replayKey = (issuer: string, jti: string) => `jti#${issuer}#${jti}`;

/**
 * Shared by every container: one conditional write per token, `attribute_not_exists(pk)`, so of two
 * calls with the same token in any two containers exactly one succeeds. DynamoDB's TTL deletes the
 * item after the token's expiry, from which on the token is refused anyway.
 */
export function tableReplayStore(table: StateTable): ReplayStore {
  return {
    remember: (issuer, jti, expiresAt) => table.putIfAbsent(replayKey(issuer, jti), expiresAt),
  };
}

/**
 * One process only (`npm start`, one container): every id is kept until its token expires, and only
 * then dropped, however many arrive. Its size is the number of tokens accepted within the longest
 * lifetime accepted (5 minutes), about 100 bytes each.
 */
export function memoryReplayStore(): ReplayStore {
  const cache = new ReplayCache();
  return { remember: async (issuer, jti, expiresAt, now) => cache.remember(replayKey(issuer, jti), expiresAt, now) };
}

/** Keys with their expiry; expired ones are dropped, the soonest first, as new ones arrive. */
export class ReplayCache {
  /** Expiry (epoch seconds) of each remembered key. */
  private readonly expiries = new Map<string, number>();
  /** The same entries as a binary min-heap on expiry, so the next to expire is found in O(log n). */
  private readonly heap: { key: string; expiresAt: number }[] = [];

  get size(): number {
    return this.expiries.size;
  }

  /**
   * Remembers `key` until `expiresAt` (epoch seconds). Returns false, remembering nothing, when the
   * key is already remembered and not expired at `now`: the token was replayed.
   */
  remember(key: string, expiresAt: number, now: number): boolean {
    while (this.heap.length > 0 && this.heap[0]!.expiresAt <= now) this.dropNextToExpire();
    if (this.expiries.has(key)) return false;
    this.expiries.set(key, expiresAt);
    this.push({ key, expiresAt });
    return true;
  }

  private dropNextToExpire(): void {
    const first = this.heap[0]!;
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
