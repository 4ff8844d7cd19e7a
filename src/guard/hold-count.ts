import type { GatherWindow } from "./gather-window";

/**
 * How many requests a closed loop's send waits for. Clients that wait for our answers (a closed
 * loop) make gather windows idle the machine, so the policy skips them (gather-window.ts); sent at
 * once instead, such a shard sent 3.8–4.3 requests per send under `wrk -c32`, and a local send
 * costs about 1 ms of workerd CPU. A hold waits for a count of requests instead of a lull: while
 * they keep coming no timer fires, and the send goes with the last of them (docs/performance.md).
 *
 * The count is learned. A closed loop's requests travel in waves (those answered by one send come
 * back together), so a hold that ends in a lull has seen a whole wave: the count becomes its size,
 * and holds of that size fill without a lull (larger counts met 8–11 lulls per 4 s). Below that
 * ceiling the count grows by one per hold its requests filled; at it, by one after
 * CEILING_PATIENCE such holds in a row, so a loop that grew is found again at the cost of one lull.
 */
export class HoldCount {
  private next = 1;
  private ceiling = MAX_HOLD;
  private filledAtCeiling = 0;
  /** Holds opened, and those that ended in a lull (getStats). */
  opened = 0;
  lulls = 0;

  /** Requests the next hold waits for; 1 sends at once. */
  get count(): number {
    return this.next;
  }

  /** A hold for requests first waiting since `openedAt`; it closes early after `lullMs` without an arrival. */
  open(openedAt: number, maxMs: number, lullMs: number): GatherWindow {
    this.opened++;
    return { closesAt: openedAt + maxMs, capMs: lullMs, lullMs, floorMs: lullMs, count: this.next };
  }

  /** Learns from a hold that closed with `waiting` requests: filled (its count or a full unit), or not. */
  closed(filled: boolean, waiting: number): void {
    if (filled) return this.grow(waiting);
    this.lulls++;
    this.filledAtCeiling = 0;
    this.ceiling = this.next = Math.max(1, waiting);
  }

  private grow(waiting: number): void {
    // One waiting request shows no concurrency: a lone closed loop never holds.
    if (waiting < 2) return;
    if (this.next < this.ceiling) {
      this.next++;
      return;
    }
    if (++this.filledAtCeiling < CEILING_PATIENCE) return;
    this.ceiling = this.next = Math.min(MAX_HOLD, this.next + 1);
    this.filledAtCeiling = 0;
  }
}

/** The most requests a hold waits for (a 64 KB unit closes it sooner at the bench's 1.8 KB event). */
const MAX_HOLD = 64;
/** Holds filled in a row at the ceiling before the count tries one more. */
const CEILING_PATIENCE = 32;
