// Runs vitest on a fixture config in its own process group, for tests of how a run ends.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");

export interface VitestRun {
  code: number | null;
  output: string;
  ms: number;
}

/** `boundMs`: the group is killed after this long (code null). Its workers or workerd may outlive vitest, so the group is killed at exit too. */
export function runVitest(config: string, { env = {}, boundMs }: { env?: Record<string, string>; boundMs?: number } = {}): Promise<VitestRun> {
  const child = spawn(process.execPath, [VITEST, "run", "--config", config], { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  const started = Date.now();
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = boundMs === undefined ? undefined : setTimeout(killGroup, boundMs);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}
