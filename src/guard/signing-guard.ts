import { DurableObject } from "cloudflare:workers";
import { MinuteIndex, WINDOW_MINUTES, findInPacked, packEntries, type Verdict } from "./guard-index";

/**
 * Checks arriving within this window (SIGNING_GUARD_COALESCE_MS) share one storage write (group
 * commit): a SQLite row written costs $1.00 per million, so one row per event would cost more than
 * everything else the guard does. Every caller still waits until its entry is durable.
 */
export const DEFAULT_COALESCE_MS = 250;
const MAX_COALESCE_MS = 2_000;

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
  rowsWritten: number;
}

const minuteNow = () => Math.floor(Date.now() / 60_000);

/** One shard of the signing-id → body binding (see docs/security.md). */
export class SigningGuard extends DurableObject<Env> {
  private readonly index = new MinuteIndex();
  private pending = new Map<string, string>();
  private flushed: Promise<void> | undefined;
  private readonly stats = { flushes: 0, rowsWritten: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The index lives in memory and is rebuilt from the rows on wake, before any check runs.
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  /** Binds `idHash` to `bodyHash` on first sight; afterwards says whether the body matches. */
  async bind(idHash: string, bodyHash: string): Promise<Verdict> {
    const pendingBody = this.pending.get(idHash);
    const bound = pendingBody ?? this.lookup(idHash);
    if (bound === undefined) this.pending.set(idHash, bodyHash);
    // A pending binding is not durable yet: answer only once it is.
    if (bound === undefined || pendingBody !== undefined) await this.nextFlush();
    if (bound === undefined) return "new";
    return bound === bodyHash ? "same" : "different";
  }

  getStats(): GuardStats {
    return { ...this.stats, entries: this.index.size, evicted: this.index.evicted };
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

  private nextFlush(): Promise<void> {
    // A failed write (e.g. a row past SQLite's 2 MB) must reach every waiting check, which the
    // Worker then answers 503 guard_unavailable; an exception left in the timer would hang them.
    this.flushed ??= new Promise((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(this.flush());
        } catch (error) {
          reject(error);
        }
      }, coalesceMs(this.env)),
    );
    return this.flushed;
  }

  /** One row write for every entry gathered in the window; the output gate holds replies until it is durable. */
  private flush(): void {
    const entries = this.pending;
    this.pending = new Map();
    this.flushed = undefined;
    const minute = minuteNow();
    const packed = packEntries([...entries].map(([idHash, bodyHash]) => ({ idHash, bodyHash })));
    const cursor = this.ctx.storage.sql.exec(APPEND, minute % SLOT_COUNT, minute, packed);
    cursor.toArray();
    for (const idHash of entries.keys()) this.index.add(idHash, minute);
    this.index.expire(minute);
    this.stats.flushes++;
    this.stats.rowsWritten += cursor.rowsWritten;
  }
}
