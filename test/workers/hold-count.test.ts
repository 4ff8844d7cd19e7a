import { describe, expect, it } from "vitest";
import { GATHER_TARGET_BYTES, GatherPolicy } from "../../src/guard/gather-window";
import { HoldCount, MAX_HOLD } from "../../src/guard/hold-count";

// The learned count of a closed loop's holds (src/guard/hold-count.ts), and where the gather
// policy hands out holds (src/guard/gather-window.ts), driven with a clock of our own.
const filled = (hold: HoldCount, waiting: number, times = 1) => {
  for (let i = 0; i < times; i++) hold.closed(true, waiting);
};

describe("hold count: learned from the waves of a closed loop", () => {
  it("grows by one per filled hold that showed concurrency, never for a lone client's request", () => {
    const hold = new HoldCount();
    filled(hold, 1, 50);
    expect(hold.count).toBe(1);
    filled(hold, 2, 3);
    expect(hold.count).toBe(4);
  });

  it("takes the size of a wave as its count and ceiling: a lull one short of the count", () => {
    const hold = new HoldCount();
    filled(hold, 8, 12);
    expect(hold.count).toBe(13);
    hold.closed(false, 12);
    expect(hold.count).toBe(12);
    filled(hold, 12, 31);
    expect(hold.count).toBe(12);
    // The loop may have grown: one more after 32 filled holds in a row at the ceiling.
    filled(hold, 12);
    expect(hold.count).toBe(13);
    expect(hold.lulls).toBe(1);
  });

  it("takes a second lull in a row as a wave too: a loop that shrank is not held for its old size", () => {
    const hold = new HoldCount();
    filled(hold, 8, 11);
    hold.closed(false, 6);
    hold.closed(false, 3);
    filled(hold, 3, 31);
    expect(hold.count).toBe(3);
  });

  it("treats any other lull as a stall before the shard: the count drops to what waits, then climbs back to its ceiling", () => {
    const hold = new HoldCount();
    filled(hold, 8, 15);
    expect(hold.count).toBe(MAX_HOLD);
    hold.closed(false, 3);
    expect(hold.count).toBe(3);
    filled(hold, 8, MAX_HOLD - 3);
    expect(hold.count).toBe(MAX_HOLD);
    expect(hold.lulls).toBe(1);
  });

  it("drops to sending at once after a lull with one request or none waiting", () => {
    const hold = new HoldCount();
    filled(hold, 5, 9);
    hold.closed(false, 1);
    expect(hold.count).toBe(1);
    hold.closed(false, 0);
    expect(hold.count).toBe(1);
  });

  it("never waits for more than MAX_HOLD (16) requests", () => {
    const hold = new HoldCount();
    filled(hold, 100, 5_000);
    expect(hold.count).toBe(16);
    expect(MAX_HOLD).toBe(16);
  });
});

describe("gather policy: a skipped window is a hold for the leading queue", () => {
  function closedLoopPolicy() {
    const policy = new GatherPolicy(() => 1_000);
    let t = 0;
    for (let i = 0; i < 64; i++) policy.arrive((t += 2));
    // Two windows in a row that ended in a lull: a closed loop, the next window is skipped.
    policy.closed(true, "lull");
    policy.closed(true, "lull");
    return { policy, t };
  }

  it("hands the leading queue a hold with the learned count, the other queue nothing, and counts no window", () => {
    const { policy, t } = closedLoopPolicy();
    for (let i = 0; i < 5; i++) policy.hold.closed(true, 10);
    const opened = policy.opened;
    const hold = policy.window(t, true)!;
    expect(hold.count).toBe(6);
    expect(policy.closeReason(hold, t, 1_000, 1_000, 5)).toBeUndefined();
    expect(policy.closeReason(hold, t, 1_000, 1_000, 6)).toBe("count");
    // A full billing unit still closes it first.
    expect(policy.closeReason(hold, t, GATHER_TARGET_BYTES - 500, 1_000, 1)).toBe("full");
    expect(policy.opened).toBe(opened);
    const other = closedLoopPolicy();
    expect(other.policy.window(other.t, false)).toBeUndefined();
  });

  it("ends a hold whose requests stopped coming in a lull at the shard's pace, and learns from it without touching the back-off", () => {
    const { policy, t } = closedLoopPolicy();
    for (let i = 0; i < 9; i++) policy.hold.closed(true, 10);
    const hold = policy.window(t, true)!;
    // 16 intervals of 2 ms after the last arrival.
    expect(policy.closeReason(hold, t + 31, 1_000, 100, 4)).toBeUndefined();
    expect(policy.closeReason(hold, t + 32, 1_000, 100, 4)).toBe("lull");
    policy.closed(true, "lull", hold, 4);
    expect(policy.hold.count).toBe(4);
    // The skip learned from the two windows is spent: the next is a real window (a probe).
    expect(policy.window(t + 32, true)?.count).toBeUndefined();
  });
});
