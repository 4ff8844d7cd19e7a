// A workers-pool file whose Worker logs after the file's last test must not hang the run: with
// vitest's console spy on, such a line is never answered and vitest waits for the file forever
// (vitest.config.ts, WORKERS_CONSOLE). The fixture hung every time with the spy on (60 s, 2026-12-04).
import { expect, it } from "vitest";
import { runVitest } from "./run-vitest";

it("finishes a run whose Worker logs after the file's last test", async () => {
  const run = await runVitest("test/fixtures/late-log/vitest.config.ts", { env: { STALL_WATCHDOG_MS: "0" }, boundMs: 45_000 });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/1 passed/);
}, 90_000);
