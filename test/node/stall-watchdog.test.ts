// The stall watchdog (test/reporters/stall-watchdog.ts) ends a run that stopped making progress.
import { expect, it } from "vitest";
import { runVitest } from "./run-vitest";

it("ends a run whose test blocks its thread, with exit 3, naming the file still running", async () => {
  const run = await runVitest("test/fixtures/stall/vitest.config.ts", { env: { STALL_WATCHDOG_MS: "4000" } });
  expect(run.code, run.output).toBe(3);
  expect(run.output).toMatch(/stall watchdog: no test finished for \d+ s/);
  expect(run.output).toContain("test/fixtures/stall/blocked.test.ts (started");
  // Long before the blocked test would have ended on its own (60 s).
  expect(run.ms).toBeLessThan(40_000);
}, 90_000);
