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

describe("gather policy: which closed windows make the shard stop gathering", () => {
  it("keeps gathering after one window that ended in a lull (chance, under open-loop traffic)", () => {
    const { policy, now } = busyPolicy();
    expect(policy.window(now())).toBeDefined();
    policy.closed(true, "lull", now());
    expect(policy.window(now())).toBeDefined();
    policy.closed(true, "full", now());
    policy.closed(true, "lull", now());
    expect(policy.window(now())).toBeDefined();
  });

  it("skips 1, then 2, then 4 windows once windows end in a lull in a row (a closed loop)", () => {
    const { policy, now } = busyPolicy();
    const skipped = () => {
      let n = 0;
      while (policy.window(now()) === undefined) n++;
      return n;
    };
    policy.closed(true, "lull", now());
    policy.closed(true, "lull", now());
    expect(skipped()).toBe(1);
    policy.closed(true, "lull", now());
    expect(skipped()).toBe(2);
    policy.closed(true, "lull", now());
    expect(skipped()).toBe(4);
    // A window that fills its unit shows open-loop traffic again: gathering resumes at once.
    policy.closed(true, "full", now());
    expect(skipped()).toBe(0);
  });

  it("backs off at once after a window nobody joined, whatever closed it", () => {
    const { policy, now } = busyPolicy();
    policy.closed(false, "bound", now());
    expect(policy.window(now())).toBeUndefined();
    expect(policy.window(now())).toBeDefined();
  });
});
