import { PACK_FRAME_BYTES } from "../contract/packed-message";
import { MESSAGE_OVERHEAD_BYTES, QUEUE_BILLING_UNIT_BYTES } from "../queue-limits";
import { HoldCount } from "./hold-count";

/**
 * Upper bound of a gather window (SIGNING_GUARD_GATHER_MS): no request waits longer than this for
 * others to share its send (on top of a send already in flight). At the documented 4 shards for
 * 333 events/s (83/s per shard) a window this long fills about one 64 KB billing unit of events.
 */
export const DEFAULT_GATHER_MS = 1_000;
export const MAX_GATHER_MS = 2_000;
/** A shard counts as busy while its mean intervals between requests are at most this (≥ 20 requests/s). */
export const BUSY_INTERVAL_MS = 50;
/**
 * The window also closes after a lull of this many mean intervals: under open-loop traffic (trucks
 * do not wait for our answers) such a gap is rare (e^-16 per interval), while clients that wait for
 * our answers stop arriving at once and should not be kept waiting for the whole window. Stalls of
 * 85–130 ms between the sender and the shard closed windows early at 8 (83 requests/s per shard,
 * 2026-12-03: 20 of 122 windows, docs/performance.md).
 */
const LULL_INTERVALS = 16;
const GROUP_MIN = 8;
/** A request after a quiet spell this long is sent at once (8 busy intervals). */
const QUIET_MS = 8 * BUSY_INTERVAL_MS;
const MIN_LULL_MS = 1;
/**
 * Most windows skipped after windows that were waited on (see GatherPolicy), and the factor each
 * further one multiplies the skip by. A probe in a closed loop holds most of its clients, not one:
 * under `wrk -c32` a probe held 16 or all 32 connections for up to 290 ms, and the back-off's ramp
 * from each 4 s round's start (1, 2, 4 … 256) held them 270–790 ms a round (docs/performance.md,
 * 2026-12-04 about 22:46). At about 30 sends/s per shard, 2,048 sends is one probe a minute.
 */
const MAX_SKIP = 2_048;
const SKIP_GROWTH = 8;
/** Windows in a row ending in a lull that show a closed loop. */
const LULLS_WAITED_ON = 2;
/**
 * Weights of the newest interval in the two running means, over about the last 8 and the last 32
 * requests: a shard is busy when both are short, and its lull follows the slow one, steady enough
 * that a short run of quick arrivals does not shrink it. An interval longer than
 * a quiet spell counts as one, so a pause does not hold the means up for long afterwards.
 */
const FAST = 1 / 8;
const SLOW = 1 / 32;
/**
 * Not busy before the means have seen the slow one's span: a shard's first requests come bunched
 * (queued while it woke); at 10/s eight of them once averaged 48.5 ms and opened a window held to
 * its bound (2026-12-03, `--only packs,cost` ending 16:27 UTC: p99 850 ms at 10/s).
 */
const BUSY_AFTER = 32;

/** Byte size at which a gathered pack is sent: one 64 KB unit, the grain Queues bills operations in. */
export const GATHER_TARGET_BYTES = QUEUE_BILLING_UNIT_BYTES - PACK_FRAME_BYTES - MESSAGE_OVERHEAD_BYTES;

/** Why a window closed: a full billing unit, a hold's count, its bound, or a lull in arrivals. */
export type CloseReason = "full" | "count" | "bound" | "lull";

export interface GatherWindow {
  closesAt: number;
  lullMs: number;
  /** The shortest the lull gets (see observe) and the longest. */
  floorMs: number;
  capMs: number;
  /** A closed loop's hold (hold-count.ts): closes once this many requests wait. */
  count?: number;
}

/**
 * When a shard waits for more requests before a send. A lone request, or light traffic, is sent
 * at once (the shard is not busy). Under load the shard gathers: the window opens with the first
 * waiting request and closes at the first of its bound, a full billing unit of events, or a lull.
 * A window that nobody joined, or the second in a row that ended in a lull, was waited on: its
 * clients wait for our answers before they send again (a closed loop), so holding them only idles
 * the machine. It makes the shard skip the next 1, 8, 64, 512 and then 2,048 windows. Open-loop
 * traffic (trucks do not wait for us) fills its windows or reaches their bound, a lull being rare
 * (e^-16 per interval) and two in a row rarer still, and keeps gathering. The verdict outlasts a
 * quiet spell: a closed-loop sender that pauses comes back as one, and relearning it costs every
 * client a probe per step of the back-off, where open-loop traffic misjudged as closed only holds
 * sends by a count (hold-count.ts) until the next probe finds it.
 */
export class GatherPolicy {
  private fastMs = Infinity;
  private slowMs = Infinity;
  private lastInterval = Infinity;
  private lastArrival: number | undefined;
  private backoff = 0;
  private skip = 0;
  private lullStreak = 0;
  /** Intervals the means have seen (BUSY_AFTER). */
  private intervals = 0;
  /** Windows opened (getStats). */
  opened = 0;
  /** What a closed loop's sends wait for while windows are skipped. */
  readonly hold = new HoldCount();

  constructor(private readonly maxMs: () => number) {}

  /** Records a request's arrival at the shard. */
  arrive(now: number): void {
    if (this.lastArrival !== undefined) {
      this.lastInterval = Math.max(0, now - this.lastArrival);
      const interval = Math.min(this.lastInterval, QUIET_MS);
      // Plain averages until each mean has seen its span: a quick first interval must not hold the slow one low.
      const n = ++this.intervals;
      this.fastMs = this.fastMs === Infinity ? interval : this.fastMs + Math.max(FAST, 1 / n) * (interval - this.fastMs);
      this.slowMs = this.slowMs === Infinity ? interval : this.slowMs + Math.max(SLOW, 1 / n) * (interval - this.slowMs);
    }
    this.lastArrival = now;
  }

  /**
   * The window for requests first waiting since `openedAt`, or undefined to send at once. A skipped
   * window is a hold instead for the queue that `leads` (it sees every request).
   */
  window(openedAt: number, leads = true): GatherWindow | undefined {
    const maxMs = this.maxMs();
    // Both means: a short burst in light traffic (the fast one dips) does not make a shard busy.
    const paced = this.intervals >= BUSY_AFTER && Math.max(this.fastMs, this.slowMs) <= BUSY_INTERVAL_MS;
    if (maxMs <= 0 || !paced || this.lastInterval > QUIET_MS) return undefined;
    if (this.skip > 0) {
      this.skip--;
      return leads ? this.hold.open(openedAt, maxMs, this.paceMs(maxMs / 2)) : undefined;
    }
    this.opened++;
    // A lull never outlasts half the window, so a window that was waited on ends in one.
    const capMs = maxMs / 2;
    const paceMs = this.paceMs(capMs);
    return { closesAt: openedAt + maxMs, capMs, lullMs: paceMs, floorMs: this.lullStreak > 0 ? MIN_LULL_MS : paceMs };
  }

  /** A lull at the shard's pace (LULL_INTERVALS slow intervals), at most `capMs`. */
  private paceMs(capMs: number): number {
    return Math.min(capMs, Math.max(MIN_LULL_MS, LULL_INTERVALS * this.slowMs));
  }

  /**
   * Once the window holds GROUP_MIN requests, its lull follows their own pace (first and last
   * arrival, count), but not below the window's floor. A fresh window keeps the shard's pace as its
   * floor: a burst there is senders catching up after a stall, followed by the usual pace, and
   * closing on it cost packs at 333 events/s (docs/performance.md). After a window that ended in a lull the floor is
   * gone: a closed loop's wave arrives at once after our answers, and its probe costs it little.
   */
  observe(window: GatherWindow, firstMs: number, lastMs: number, count: number): void {
    if (count < GROUP_MIN || window.count !== undefined) return;
    const ownMs = (LULL_INTERVALS * (lastMs - firstMs)) / (count - 1);
    window.lullMs = Math.min(window.capMs, Math.max(window.floorMs, MIN_LULL_MS, ownMs));
  }

  /** When an open window is next due to close unless more requests arrive. */
  dueAt(window: GatherWindow): number {
    return Math.min(window.closesAt, (this.lastArrival ?? -Infinity) + window.lullMs);
  }

  /** Why an open window closes now, if it does: one more request like the last would overflow the unit, a hold's count, its bound, or a lull. */
  closeReason(window: GatherWindow, now: number, bytes: number, lastRequestBytes: number, waiting = 0): CloseReason | undefined {
    if (bytes + lastRequestBytes > GATHER_TARGET_BYTES) return "full";
    if (window.count !== undefined && waiting >= window.count) return "count";
    if (now >= window.closesAt) return "bound";
    if (now >= this.dueAt(window)) return "lull";
    return undefined;
  }

  /** Learns from a window closed with `waiting` requests whether it was waited on (see the class comment). */
  closed(joined: boolean, reason: CloseReason, window?: GatherWindow, waiting = 0): void {
    if (window?.count !== undefined) return this.hold.closed(reason === "count" || reason === "full", waiting);
    // One lull is chance under open-loop traffic; a closed loop ends every window in one.
    this.lullStreak = reason === "lull" ? this.lullStreak + 1 : 0;
    const waitedOn = !joined || this.lullStreak >= LULLS_WAITED_ON;
    this.backoff = waitedOn ? Math.min(MAX_SKIP, Math.max(1, SKIP_GROWTH * this.backoff)) : 0;
    this.skip = this.backoff;
  }
}
