/**
 * The guard's in-memory index and its packed storage format, free of Durable Object APIs so
 * tests can drive it directly.
 *
 * An entry binds a signing id to a body: 32 hex chars of SHA-256(signing id) followed by 32 hex
 * chars of SHA-256(body). Entries are packed per minute into storage rows (src/guard/binding-rows.ts);
 * the memory index keeps, per minute, the sorted 32-bit prefixes of the ids stored in it, so a
 * lookup reads only the rows of minutes that may hold the id. Four bytes per key (a Map took about
 * 34 B) let several shards share one isolate's 128 MB; prefix collisions only cost a row read.
 */
export const ENTRY_CHARS = 64;
const HASH_CHARS = 32;
/** Hex chars of the id prefix the index keeps (32 bits). */
export const KEY_CHARS = 8;
/** Bound bodies are remembered at least this long (Radar re-delivers within hours). */
export const WINDOW_MINUTES = 24 * 60 + 1;

/**
 * Memory bound per shard: 4 B per key puts 8 M keys at 32 MB, so three shards sharing an isolate
 * stay near 100 MB of its 128 MB. 8 M keys hold the full window up to about 92 events/s per shard;
 * past it the oldest minutes go first: the window shrinks instead of the isolate running out of memory.
 */
export const MAX_INDEX_KEYS = 8_000_000;

export type Verdict = "new" | "same" | "different";

export interface Entry {
  idHash: string;
  bodyHash: string;
}

export function shortKey(idHash: string): number {
  return parseInt(idHash.slice(0, KEY_CHARS), 16) >>> 0;
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

function contains(sorted: Uint32Array, key: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = sorted[mid]!;
    if (value === key) return true;
    if (value < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Minute → sorted key prefixes, oldest first; the newest minute stays a Set until the next one starts. */
export class MinuteIndex {
  private readonly frozen: Array<{ minute: number; keys: Uint32Array }> = [];
  private current: { minute: number; keys: Set<number> } | undefined;
  private frozenKeys = 0;
  /** Keys dropped by the memory bound before their 24 h were up. */
  evicted = 0;

  constructor(private readonly maxKeys = MAX_INDEX_KEYS) {}

  get size(): number {
    return this.frozenKeys + (this.current?.keys.size ?? 0);
  }

  /** Records that `idHash` was stored in `minute`; minutes must not go backwards. */
  add(idHash: string, minute: number): void {
    this.addKey(shortKey(idHash), minute);
  }

  /** Adds every id of a packed row or of an ids column (KEY_CHARS hex per key) stored in `minute`. */
  addPacked(packed: string, minute: number, stride = ENTRY_CHARS): void {
    for (let i = 0; i + KEY_CHARS <= packed.length; i += stride) this.addKey(parseInt(packed.slice(i, i + KEY_CHARS), 16) >>> 0, minute);
  }

  /** Minutes whose rows may hold `idHash`, newest first, all inside the window. */
  minutesOf(idHash: string, nowMinute: number): number[] {
    const key = shortKey(idHash);
    const oldest = nowMinute - WINDOW_MINUTES;
    const minutes: number[] = [];
    if (this.current && this.current.minute > oldest && this.current.keys.has(key)) minutes.push(this.current.minute);
    for (let i = this.frozen.length - 1; i >= 0 && this.frozen[i]!.minute > oldest; i--) {
      if (contains(this.frozen[i]!.keys, key)) minutes.push(this.frozen[i]!.minute);
    }
    return minutes;
  }

  /** Drops minutes that left the window, then the oldest minutes while over the bound. */
  expire(nowMinute: number): void {
    while (this.frozen.length > 0) {
      const first = this.frozen[0]!;
      const expired = first.minute <= nowMinute - WINDOW_MINUTES;
      if (!expired && this.size <= this.maxKeys) break;
      if (!expired) this.evicted += first.keys.length;
      this.frozenKeys -= first.keys.length;
      this.frozen.shift();
    }
  }

  private addKey(key: number, minute: number): void {
    if (this.current && this.current.minute !== minute) this.freeze();
    this.current ??= { minute, keys: new Set() };
    this.current.keys.add(key);
  }

  private freeze(): void {
    const keys = Uint32Array.from(this.current!.keys).sort();
    this.frozen.push({ minute: this.current!.minute, keys });
    this.frozenKeys += keys.length;
    this.current = undefined;
  }
}
