import { describe, expect, it } from "vitest";
import { pairRatioInterval } from "../../bench/lib/webhook-summary.mjs";

// The webhook bench's interval for its headline ratio (bench/lib/webhook-summary.mjs): a bootstrap
// over back-to-back pairs of ours and the no-op.
describe("the webhook bench's pair interval", () => {
  it("is a single point when every pair has the same ratio, whatever the machine's speed", () => {
    const reference = [900, 600, 750, 1000, 500, 820];
    expect(pairRatioInterval(reference.map((r) => r * 0.85), reference)).toEqual([0.85, 0.85]);
  });

  it("holds the ratio of the mean rates, is the same on a rerun, and narrows with more pairs", () => {
    const reference = [800, 620, 910, 700, 540, 860, 760, 680];
    const ours = [690, 470, 760, 610, 420, 700, 660, 560];
    const [lo, hi] = pairRatioInterval(ours, reference);
    const ratio = ours.reduce((a, b) => a + b) / reference.reduce((a, b) => a + b);
    expect(lo).toBeLessThan(ratio);
    expect(hi).toBeGreaterThan(ratio);
    expect(pairRatioInterval(ours, reference)).toEqual([lo, hi]);
    const [lo4, hi4] = pairRatioInterval([...ours, ...ours, ...ours, ...ours], [...reference, ...reference, ...reference, ...reference]);
    expect(hi4 - lo4).toBeLessThan((hi - lo) * 0.7);
  });
});
