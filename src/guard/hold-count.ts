import type { GatherWindow } from "./gather-window";

/**
 * How many requests a closed loop's send waits for. Clients that wait for our answers (a closed
 * loop) make gather windows idle the machine, so the policy skips them (gather-window.ts); sent at
 * once instead, such a shard sent 3.8–4.3 requests per send under `wrk -c32`, and a local send
 * costs about 1 ms of workerd CPU. A hold waits for a count of requests instead of a lull: while
 * they keep coming no timer fires, and the send goes with the last of them (docs/performance.md).
 *
 * The count is learned. A closed loop's requests travel in waves (those answered by one send come
 * back together), so a hold that ends in a lull one short of its count, or in a second lull in a
 * row, has seen a whole wave: count and ceiling become its size. Any other lull is a stall before
 * the shard (under `wrk -c32`, lulls 10–36 ms after the last arrival with 1–9 of 32 clients
 * waiting and the timer on time, docs/performance.md): the count drops to what waits and climbs
 * back, one per filled hold, to the ceiling it keeps. Below the ceiling the count grows by one per
 * filled hold; at it, by one after CEILING_PATIENCE such holds in a row, so a loop that grew is
 * found again at one lull's cost.
 */
export class HoldCount {
  private next = 1;
  private ceiling = MAX_HOLD;
  private filledAtCeiling = 0;
  /** Lulls since the last filled hold: a second in a row is a wave, not a stall. */
  private lullStreak = 0;
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
    if (filled) {
      this.lullStreak = 0;
      return this.grow(waiting);
    }
    this.lulls++;
    this.filledAtCeiling = 0;
    const wave = ++this.lullStreak >= 2 || waiting >= this.next - 1;
    this.next = Math.max(1, waiting);
    if (wave) this.ceiling = this.next;
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

/**
 * The most requests a hold waits for. Holding most of a closed loop leaves too few of its clients
 * working (24 of `wrk -c32`'s 32 ran at 0.535 of the no-op, docs/performance.md 2026-12-04 09:33);
 * fixed holds of 8 and 16 ran at 0.756 and 0.768 against 0.700 for the count learned with a cap of
 * 64 (2026-12-05).
 * 16 requests of the bench's 1.8 KB event fill about half a 64 KB billing unit.
 */
export const MAX_HOLD = 16;
/** Holds filled in a row at the ceiling before the count tries one more. */
const CEILING_PATIENCE = 32;
