// A workers-pool file whose Worker logs after the file's last test must not hang the run: with
// vitest's console spy on, such a line is never answered and vitest waits for the file forever
// (vitest.config.ts, WORKERS_CONSOLE). The fixture hung every time with the spy on (60 s, 2026-12-04).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const BOUND_MS = 45_000;

function runFixture() {
  const args = [VITEST, "run", "--config", "test/fixtures/late-log/vitest.config.ts"];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, STALL_WATCHDOG_MS: "0" }, detached: true });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(killGroup, BOUND_MS);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      killGroup(); // workerd may outlive vitest
      resolve({ code, output });
    }),
  );
}

it("finishes a run whose Worker logs after the file's last test", async () => {
  const run = await runFixture();
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/1 passed/);
}, 90_000);
