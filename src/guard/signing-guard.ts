import { DurableObject } from "cloudflare:workers";
import { MinuteIndex, WINDOW_MINUTES, findInPacked, packEntries, type Verdict } from "./guard-index";

/**
 * Bindings made within this window (SIGNING_GUARD_COALESCE_MS) share one storage write: a SQLite
 * row written costs $1.00 per million, so one row per event would cost more than everything else
 * the guard does. Checks are answered from memory at once and never wait for the window (a wait
 * held every webhook for the window and cut its throughput per connection to a fifth); the price is
 * that bindings of the last window are lost if the object dies before writing them (docs/security.md).
 */
export const DEFAULT_COALESCE_MS = 1_000;
const MAX_COALESCE_MS = 2_000;
/** After a failed write the guard refuses checks (fail closed) and retries at this pace. */
const RETRY_MS = 1_000;

function coalesceMs(env: Env): number {
  const ms = Number(env.SIGNING_GUARD_COALESCE_MS ?? DEFAULT_COALESCE_MS);
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_COALESCE_MS) : DEFAULT_COALESCE_MS;
}
/** A ring of minute rows: a row is overwritten only after the window, so expiry writes nothing. */
const SLOT_COUNT = WINDOW_MINUTES + 1;

const SCHEMA = "CREATE TABLE IF NOT EXISTS slots (slot INTEGER PRIMARY KEY, minute INTEGER NOT NULL, entries TEXT NOT NULL)";
const APPEND = `INSERT INTO slots (slot, minute, entries) VALUES (?, ?, ?)
  ON CONFLICT(slot) DO UPDATE SET
    entries = CASE WHEN slots.minute = excluded.minute THEN slots.entries || excluded.entries ELSE excluded.entries END,
    minute = excluded.minute`;

export interface GuardStats {
  entries: number;
  evicted: number;
  flushes: number;
  failedFlushes: number;
  /** Bindings answered but not yet written. */
  pending: number;
  rowsWritten: number;
}

const minuteNow = () => Math.floor(Date.now() / 60_000);

/** One shard of the signing-id → body binding (see docs/security.md). */
export class SigningGuard extends DurableObject<Env> {
  private readonly index = new MinuteIndex();
  private pending = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: unknown;
  private readonly stats = { flushes: 0, rowsWritten: 0, failedFlushes: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The index lives in memory and is rebuilt from the rows on wake, before any check runs.
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  /** Binds `idHash` to `bodyHash` on first sight; afterwards says whether the body matches. */
  async bind(idHash: string, bodyHash: string): Promise<Verdict> {
    // Storage is failing: refuse rather than bind in memory only (the Worker answers 503).
    if (this.failure !== undefined) throw new Error("signing guard storage unavailable", { cause: this.failure });
    const bound = this.pending.get(idHash) ?? this.lookup(idHash);
    if (bound !== undefined) return bound === bodyHash ? "same" : "different";
    this.pending.set(idHash, bodyHash);
    this.timer ??= setTimeout(() => this.flushPending(), coalesceMs(this.env));
    return "new";
  }

  getStats(): GuardStats {
    return { ...this.stats, entries: this.index.size, evicted: this.index.evicted, pending: this.pending.size };
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(SCHEMA);
    const rows = sql.exec<{ minute: number; entries: string }>("SELECT minute, entries FROM slots WHERE minute > ? ORDER BY minute", minuteNow() - WINDOW_MINUTES);
    for (const row of rows) this.index.addPacked(row.entries, row.minute);
    this.index.expire(minuteNow());
  }

  private lookup(idHash: string): string | undefined {
    for (const minute of this.index.minutesOf(idHash, minuteNow())) {
      const rows = this.ctx.storage.sql.exec<{ entries: string }>("SELECT entries FROM slots WHERE slot = ? AND minute = ?", minute % SLOT_COUNT, minute);
      for (const row of rows) {
        const body = findInPacked(row.entries, idHash);
        if (body !== undefined) return body;
      }
    }
    return undefined;
  }

  private flushPending(): void {
    this.timer = undefined;
    try {
      this.flush();
      this.failure = undefined;
    } catch (error) {
      // Entries stay pending and are written by the retry; until then checks fail closed.
      this.failure = error;
      this.stats.failedFlushes++;
      console.error(JSON.stringify({ msg: "signing guard write failed", pending: this.pending.size, error: String(error) }));
      this.timer = setTimeout(() => this.flushPending(), RETRY_MS);
    }
  }

  /** One row write for every entry gathered in the window. */
  private flush(): void {
    const entries = this.pending;
    const minute = minuteNow();
    const packed = packEntries([...entries].map(([idHash, bodyHash]) => ({ idHash, bodyHash })));
    const cursor = this.ctx.storage.sql.exec(APPEND, minute % SLOT_COUNT, minute, packed);
    cursor.toArray();
    this.pending = new Map();
    for (const idHash of entries.keys()) this.index.add(idHash, minute);
    this.index.expire(minute);
    this.stats.flushes++;
    this.stats.rowsWritten += cursor.rowsWritten;
  }
}
