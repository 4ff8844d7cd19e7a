import { describe, expect, it } from "vitest";
import { GatherPolicy } from "../../src/guard/gather-window";

// The gather policy's memory of windows that were waited on (src/guard/gather-window.ts), driven
// with a clock of our own: 100 requests/s, so the shard is busy and windows open.
function busyPolicy() {
  const policy = new GatherPolicy(() => 1_000);
  let now = 0;
  for (let i = 0; i < 64; i++) policy.arrive((now += 10));
  return { policy, now: () => now };
}

/** Windows skipped before the next one opens (for the queue that does not lead, so no hold either). */
function skipped(policy: GatherPolicy, now: number) {
  let n = 0;
  // Bounded: a policy that never opens a window again would spin the runtime's only thread.
  while (n < 10_000 && policy.window(now, false) === undefined) n++;
  return n;
}

describe("gather policy: which closed windows make the shard stop gathering", () => {
  it("keeps gathering after one window that ended in a lull (chance, under open-loop traffic)", () => {
    const { policy, now } = busyPolicy();
    expect(policy.window(now())).toBeDefined();
    policy.closed(true, "lull");
    expect(policy.window(now())).toBeDefined();
    policy.closed(true, "full");
    policy.closed(true, "lull");
    expect(policy.window(now())).toBeDefined();
  });

  it("skips 1, then 8, then 64 … at most 2,048 windows once windows end in a lull in a row (a closed loop)", () => {
    const { policy, now } = busyPolicy();
    policy.closed(true, "lull");
    policy.closed(true, "lull");
    expect(skipped(policy, now())).toBe(1);
    for (const skip of [8, 64, 512, 2_048, 2_048]) {
      policy.closed(true, "lull");
      expect(skipped(policy, now())).toBe(skip);
    }
    // A window that fills its unit shows open-loop traffic again: gathering resumes at once.
    policy.closed(true, "full");
    expect(skipped(policy, now())).toBe(0);
  });

  it("keeps a closed loop's back-off through a quiet spell, and open-loop traffic after it gathers again at the next probe", () => {
    const { policy, now } = busyPolicy();
    for (let i = 0; i < 4; i++) policy.closed(true, "lull"); // skips 1, 8, 64
    let t = now() + 60_000; // a minute without a request, then the same pace
    for (let i = 0; i < 64; i++) policy.arrive((t += 10));
    expect(skipped(policy, t)).toBe(64);
    // That probe (the 65th window) reaches its bound, as open-loop traffic does: no more skips.
    policy.closed(true, "bound");
    expect(skipped(policy, t)).toBe(0);
  });

  it("backs off at once after a window nobody joined, whatever closed it", () => {
    const { policy, now } = busyPolicy();
    policy.closed(false, "bound");
    // Skipped: the queue that does not lead sends at once (the leading one holds, hold-count.test.ts).
    expect(policy.window(now(), false)).toBeUndefined();
    expect(policy.window(now())).toBeDefined();
  });

  it("keeps a fresh window's lull at the shard's pace through a burst (senders catching up after a stall)", () => {
    const { policy, now } = busyPolicy();
    let t = now();
    const window = policy.window(t)!;
    // 30 requests 0.5 ms apart, then the shard's usual pace (10 ms) would resume.
    for (let i = 0; i < 30; i++) policy.arrive((t += 0.5));
    policy.observe(window, now() + 0.5, t, 30);
    // 16 intervals of 10 ms: with the burst's own pace (8 ms) the window closed here and its pack was 30.
    expect(policy.closeReason(window, t + 100, 30_000, 1_000)).toBeUndefined();
    expect(policy.closeReason(window, t + 200, 30_000, 1_000)).toBe("lull");
  });

  it("follows a wave's own pace after a window that ended in a lull (a closed loop's probe is cheap)", () => {
    const { policy, now } = busyPolicy();
    policy.closed(true, "lull");
    let t = now();
    const window = policy.window(t)!;
    for (let i = 0; i < 30; i++) policy.arrive((t += 0.5));
    policy.observe(window, now() + 0.5, t, 30);
    expect(policy.closeReason(window, t + 10, 30_000, 1_000)).toBe("lull");
  });

  it("ends a window in a lull at half its bound at the latest, so a waited-on window is never taken for a full one", () => {
    const policy = new GatherPolicy(() => 1_000);
    let t = 0;
    for (let i = 0; i < 64; i++) policy.arrive((t += 45)); // busy, but 16 intervals are 720 ms
    const window = policy.window(t)!;
    expect(policy.closeReason(window, t + 499, 1_000, 1_000)).toBeUndefined();
    expect(policy.closeReason(window, t + 500, 1_000, 1_000)).toBe("lull");
  });

  it("opens no window for two quick first requests of light traffic (a new shard's means have seen too little)", () => {
    const policy = new GatherPolicy(() => 1_000);
    let t = 0;
    policy.arrive(t);
    policy.arrive((t += 5));
    expect(policy.window(t)).toBeUndefined();
    // Light traffic after them (10 requests/s): still no window, so none of them waits.
    for (let i = 0; i < 10; i++) {
      policy.arrive((t += 100));
      expect(policy.window(t)).toBeUndefined();
    }
  });

  it("opens no window for light traffic whose first interval was quick, when a few arrivals then come close (chance at 10/s)", () => {
    // Constructed, not seen in a run: means seeded by a quick first interval read "busy" after a
    // short run of close arrivals. The 10/s windows of the bench had another cause (next case).
    const policy = new GatherPolicy(() => 1_000);
    let t = 0;
    policy.arrive(t);
    for (const gap of [5, 100, 100, 100, 100, 100, 100, 100, 20, 20, 20, 20]) {
      policy.arrive((t += gap));
      expect(policy.window(t), `after a gap of ${gap} ms at ${t} ms`).toBeUndefined();
    }
  });

  it("opens no window for light traffic whose first requests came bunched (they queued while the shard woke)", () => {
    const policy = new GatherPolicy(() => 1_000);
    let t = 0;
    for (let i = 0; i < 12; i++) policy.arrive((t += 0.5));
    for (let i = 0; i < 40; i++) {
      policy.arrive((t += 100));
      expect(policy.window(t), `request ${i} at 10/s`).toBeUndefined();
    }
    // Traffic that really is busy still gathers once the slow mean has seen its span.
    for (let i = 0; i < 40; i++) policy.arrive((t += 10));
    expect(policy.window(t)).toBeDefined();
  });

  it("keeps bunched first requests from holding the slow mean low past its span (each mean a plain average until then)", () => {
    const policy = new GatherPolicy(() => 1_000);
    let t = 0;
    for (let i = 0; i < 12; i++) policy.arrive((t += 0.5));
    // 10/s, then a short run of close arrivals (chance): the fast mean dips, the slow one must not be stuck low.
    for (const gap of [...Array<number>(21).fill(100), ...Array<number>(10).fill(20)]) {
      policy.arrive((t += gap));
      expect(policy.window(t), `after a gap of ${gap} ms at ${t} ms`).toBeUndefined();
    }
  });
});
