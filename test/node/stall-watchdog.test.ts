// The stall watchdog (test/reporters/stall-watchdog.ts) ends a run that stopped making progress.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");

function runVitest(env: Record<string, string>) {
  const child = spawn(process.execPath, [VITEST, "run", "--config", "test/fixtures/stall/vitest.config.ts"], { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  const started = Date.now();
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve) =>
    child.on("exit", (code) => {
      // Its blocked worker outlives it: kill the whole group.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}

it("ends a run whose test blocks its thread, with exit 3, naming the file still running", async () => {
  const run = await runVitest({ STALL_WATCHDOG_MS: "4000" });
  expect(run.code, run.output).toBe(3);
  expect(run.output).toMatch(/stall watchdog: no test finished for \d+ s/);
  expect(run.output).toContain("test/fixtures/stall/blocked.test.ts (started");
  // Long before the blocked test would have ended on its own (60 s).
  expect(run.ms).toBeLessThan(40_000);
}, 90_000);
