/**
 * The guard's in-memory index and its packed storage format, free of Durable Object APIs so
 * tests can drive it directly.
 *
 * An entry binds a signing id to a body: 32 hex chars of SHA-256(signing id) followed by 32 hex
 * chars of SHA-256(body). Entries are packed per minute into one storage row (one SQLite row
 * written per flush, not per event); the memory index maps a 30-bit prefix of the id hash to the
 * minute it was stored in, so a lookup reads one row. 30 bits keep keys as small integers
 * (about 34 B per entry in V8); prefix collisions only cost an extra row read.
 */
export const ENTRY_CHARS = 64;
const HASH_CHARS = 32;
/** Bound bodies are remembered at least this long (Radar re-delivers within hours). */
export const WINDOW_MINUTES = 24 * 60 + 1;

/**
 * Memory bound per shard: about 34 B per key in V8 (measured in Node 20) puts 2 M keys near
 * 70 MB of the 128 MB isolate. Past it the oldest keys go first: the window shrinks under
 * overload instead of the guard running out of memory and failing every webhook.
 */
export const MAX_INDEX_KEYS = 2_000_000;

export type Verdict = "new" | "same" | "different";

export interface Entry {
  idHash: string;
  bodyHash: string;
}

export function shortKey(idHash: string): number {
  return parseInt(idHash.slice(0, 8), 16) >>> 2;
}

export function packEntries(entries: Iterable<Entry>): string {
  let out = "";
  for (const e of entries) out += e.idHash + e.bodyHash;
  return out;
}

/** The body hash bound to `idHash` in a packed row, or undefined. */
export function findInPacked(packed: string, idHash: string): string | undefined {
  for (let i = 0; i + ENTRY_CHARS <= packed.length; i += ENTRY_CHARS) {
    if (packed.startsWith(idHash, i)) return packed.slice(i + HASH_CHARS, i + ENTRY_CHARS);
  }
  return undefined;
}

/**
 * Short key → minute of the most recent entry with that key (plus earlier minutes when two ids
 * share a key, so a collision never hides an older binding). Map order is insertion order and
 * minutes only grow, so expiry drops entries from the front.
 */
export class MinuteIndex {
  private readonly latest = new Map<number, number>();
  private readonly earlier = new Map<number, number[]>();
  /** Keys dropped by the memory bound before their 24 h were up. */
  evicted = 0;

  constructor(private readonly maxKeys = MAX_INDEX_KEYS) {}

  get size(): number {
    return this.latest.size;
  }

  /** Records that `idHash` was stored in `minute`; re-inserting keeps the order chronological. */
  add(idHash: string, minute: number): void {
    const key = shortKey(idHash);
    const previous = this.latest.get(key);
    if (previous !== undefined && previous !== minute) this.earlier.set(key, [...(this.earlier.get(key) ?? []), previous]);
    this.latest.delete(key);
    this.latest.set(key, minute);
  }

  /** Minutes whose rows may hold `idHash`, newest first, all inside the window. */
  minutesOf(idHash: string, nowMinute: number): number[] {
    const key = shortKey(idHash);
    const latest = this.latest.get(key);
    if (latest === undefined) return [];
    return [latest, ...(this.earlier.get(key) ?? [])].filter((m) => m > nowMinute - WINDOW_MINUTES);
  }

  addPacked(packed: string, minute: number): void {
    for (let i = 0; i + ENTRY_CHARS <= packed.length; i += ENTRY_CHARS) this.add(packed.slice(i, i + HASH_CHARS), minute);
  }

  /** Drops keys whose latest minute left the window (their earlier minutes are older still), then any over the bound. */
  expire(nowMinute: number): void {
    for (const [key, minute] of this.latest) {
      const expired = minute <= nowMinute - WINDOW_MINUTES;
      if (!expired && this.latest.size <= this.maxKeys) break;
      if (!expired) this.evicted++;
      this.latest.delete(key);
      this.earlier.delete(key);
    }
  }
}
