import { describe, expect, it } from "vitest";
import { pairRatioInterval, poolPairs } from "../../bench/lib/webhook-summary.mjs";

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

  it("pools runs pair by pair: the ratio of mean rates over every pair, not the mean of the runs' ratios", () => {
    // The runs' own ratios are 0.9 and 0.7 (their mean 0.8); over the pairs, 2,500 against 3,000 req/s.
    const protocol = { lead_in_seconds: 1, seconds_per_round: 4, connections: 32 };
    const fast = { ...protocol, pair_rates: [[850, 1000], [950, 1000]] as Array<[number, number]> };
    const slow = { ...protocol, pair_rates: [[300, 500], [400, 500]] as Array<[number, number]> };
    const pooled = poolPairs([fast, slow]);
    expect(pooled).toMatchObject({ runs: 2, pairs: 4, ratio: 0.833 });
    expect(pooled.ratio_ci95).toEqual(pairRatioInterval([850, 950, 300, 400], [1000, 1000, 500, 500]));
    expect(() => poolPairs([fast, {} as never])).toThrow(/pair_rates/);
    expect(() => poolPairs([fast, { ...slow, pair_rates: [] }])).toThrow(/pair_rates/);
  });

  it("refuses to pool runs of different protocols", () => {
    const run = { lead_in_seconds: 1, seconds_per_round: 4, connections: 32, pair_rates: [[850, 1000]] as Array<[number, number]> };
    expect(poolPairs([run, run]).pairs).toBe(2);
    expect(() => poolPairs([run, { ...run, lead_in_seconds: 0 }])).toThrow(/different protocols/);
    expect(() => poolPairs([run, { ...run, connections: 16 }])).toThrow(/different protocols/);
  });
});
