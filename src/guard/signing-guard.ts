import { DurableObject } from "cloudflare:workers";
import { errorMessage } from "../errors";
import { BindingRows } from "./binding-rows";
import { DEFAULT_GATHER_MS, GatherPolicy, MAX_GATHER_MS } from "./gather-window";
import { MAX_INDEX_KEYS, MinuteIndex, packEntries, type Verdict } from "./guard-index";
import { envNumber, type GuardBatch, type GuardStats, type SubmitOutcome } from "./guard-types";
import { PackSender, recordSend, type SendReport } from "./pack-sender";

export type { GuardBatch, GuardStats, SubmitOutcome } from "./guard-types";

/**
 * Bindings made within this window (SIGNING_GUARD_COALESCE_MS) share one storage write: a SQLite
 * row written costs $1.00 per million, so one row per event would cost more than everything else
 * the guard does. No request waits for it (the 202 waits for the queue send instead); the price is
 * that bindings of the last window are lost if the object dies before writing them (docs/security.md).
 */
export const DEFAULT_COALESCE_MS = 1_000;
const MAX_COALESCE_MS = 2_000;
/** After a failed write the guard refuses checks (fail closed) and retries at this pace. */
const RETRY_MS = 1_000;
/**
 * Envelopes a shard holds waiting for or in a send, per queue. Past it a request is refused
 * (503 guard_overloaded, Retry-After) instead of joining an unbounded line: about 9 MB at the
 * bench event's 1.8 KB, and 50 full sendBatch calls.
 */
export const DEFAULT_MAX_WAITING = 5_000;

const minuteNow = () => Math.floor(Date.now() / 60_000);

/** One shard of the signing-id → body binding, and the group commit of its requests' events (docs/security.md). */
export class SigningGuard extends DurableObject<Env> {
  private readonly index = new MinuteIndex();
  private readonly rows: BindingRows;
  private readonly senders: Record<keyof GuardBatch, PackSender>;
  private readonly gather: GatherPolicy;
  private pending = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: unknown;
  private readonly stats = { flushes: 0, rowsWritten: 0, failedFlushes: 0, sends: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rows = new BindingRows(ctx.storage);
    // The queues and the window's bound are read when used, from the env this object was given.
    // Both queues gather while the shard is busy; every request reaches ingest, so it leads.
    const policy = (this.gather = new GatherPolicy(() => envNumber(this.env.SIGNING_GUARD_GATHER_MS, DEFAULT_GATHER_MS, MAX_GATHER_MS)));
    this.senders = {
      ingest: new PackSender(() => this.env.INGEST_QUEUE, (r) => this.reportSend("ingest", r), { policy, leads: true }),
      forward: new PackSender(() => this.env.FORWARD_QUEUE, (r) => this.reportSend("forward", r), { policy, leads: false }),
    };
    // The index lives in memory and is rebuilt from the rows on wake, before any check runs.
    ctx.blockConcurrencyWhile(async () => this.rows.load(this.index, minuteNow(), MAX_INDEX_KEYS));
  }

  /**
   * Binds `idHash` to `bodyHash` on first sight and, unless it was bound to another body, sends
   * the request's envelopes with those of concurrent requests. Answers once they are on the queue.
   */
  async submit(idHash: string, bodyHash: string, batch: GuardBatch): Promise<SubmitOutcome> {
    this.throwIfFailing();
    const limit = envNumber(this.env.SIGNING_GUARD_MAX_WAITING, DEFAULT_MAX_WAITING);
    if (this.senders.ingest.backlog + batch.ingest.json.length > limit) return "overloaded";
    if (this.bindNow(idHash, bodyHash) === "different") return "replayed";
    const sent = await Promise.all([this.senders.ingest.submit(batch.ingest), this.senders.forward.submit(batch.forward)]);
    return sent.every(Boolean) ? "accepted" : "queue_failed";
  }

  /** Binds without sending anything: the check alone (benches and tests drive it directly). */
  async bind(idHash: string, bodyHash: string): Promise<Verdict> {
    this.throwIfFailing();
    return this.bindNow(idHash, bodyHash);
  }

  /** Looks a binding up without making one: for the previous shard layout during a reshard. */
  async check(idHash: string, bodyHash: string): Promise<Verdict> {
    this.throwIfFailing();
    const bound = this.pending.get(idHash) ?? this.lookup(idHash);
    return bound === undefined ? "new" : bound === bodyHash ? "same" : "different";
  }

  getStats(): GuardStats {
    return { ...this.stats, entries: this.index.size, evicted: this.index.evicted, pending: this.pending.size, waiting: this.senders.ingest.backlog, windows: this.gather.opened, holds: this.gather.hold.opened, holdCount: this.gather.hold.count, holdLulls: this.gather.hold.lulls };
  }

  private throwIfFailing(): void {
    // Storage is failing: refuse rather than bind in memory only (the Worker answers 503).
    if (this.failure !== undefined) throw new Error("signing guard storage unavailable", { cause: this.failure });
  }

  /** Synchronous, so two concurrent bodies on one pair can never both be "new". */
  private bindNow(idHash: string, bodyHash: string): Verdict {
    const bound = this.pending.get(idHash) ?? this.lookup(idHash);
    if (bound !== undefined) return bound === bodyHash ? "same" : "different";
    this.pending.set(idHash, bodyHash);
    this.timer ??= setTimeout(() => this.flushPending(), envNumber(this.env.SIGNING_GUARD_COALESCE_MS, DEFAULT_COALESCE_MS, MAX_COALESCE_MS));
    return "new";
  }

  private lookup(idHash: string): string | undefined {
    for (const minute of this.index.minutesOf(idHash, minuteNow())) {
      const body = this.rows.find(idHash, minute);
      if (body !== undefined) return body;
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
      console.error(JSON.stringify({ msg: "signing guard write failed", pending: this.pending.size, error: errorMessage(error) }));
      this.timer = setTimeout(() => this.flushPending(), RETRY_MS);
    }
  }

  /** One transaction for every entry gathered in the window. */
  private flush(): void {
    const entries = this.pending;
    const minute = minuteNow();
    this.stats.rowsWritten += this.rows.append(packEntries([...entries].map(([idHash, bodyHash]) => ({ idHash, bodyHash }))), minute);
    this.pending = new Map();
    for (const idHash of entries.keys()) this.index.add(idHash, minute);
    this.index.expire(minute);
    this.stats.flushes++;
  }

  private reportSend(queue: keyof GuardBatch, report: SendReport): void {
    this.stats.sends++;
    recordSend(this.env.METRICS, queue, report);
  }
}
