// Runs `wrangler dev` as its own process group, waits until it answers, and stops the whole group.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./dev-vars.mjs";
import { freePort } from "./free-port.mjs";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
// The kill of every group this process started and has not stopped: they run detached, so a
// signal to this process alone would leave them running (see signalAllWranglerDev).
const running = new Set();

async function waitForHealth(url, child, tail, timeoutMs, signal) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error("start-up interrupted");
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before answering; its last lines:\n${tail.join("\n")}`);
    try {
      // Bounded: wrangler's proxy holds a request until the Worker is ready, and the deadline is only checked between tries.
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not answer ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Resolves once `readyPath` answers. `exited` resolves with { code, signal } when wrangler ends,
 * for whatever reason, so callers can notice a crash after start-up.
 * `signal` aborts the start-up (a Ctrl-C while wrangler boots): the group is stopped, then it throws.
 * @param {{ args: string[], port: number, onLog?: (line: string) => void, readyPath?: string, signal?: AbortSignal }} options
 */
export async function startWranglerDev({ args, port, onLog = () => {}, readyPath = "/healthz", signal }) {
  // Each instance gets its own inspector port, so several can run side by side.
  const inspector = ["--inspector-port", String(await freePort())];
  const child = spawn(process.execPath, [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", ...inspector, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // The last lines are kept for the error when wrangler exits before answering (callers often drop its output).
  const tail = [];
  const keep = (line) => {
    if (tail.push(line) > 40) tail.shift();
    onLog(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => chunk.split("\n").filter(Boolean).forEach(keep));
  }
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    // The group may outlive wrangler itself (workerd, esbuild), so it is signalled regardless.
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    kill("SIGKILL");
    running.delete(kill);
  };
  running.add(kill);
  try {
    await waitForHealth(`http://127.0.0.1:${port}${readyPath}`, child, tail, 90_000, signal);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, exited, stop };
}

/**
 * Signals every `wrangler dev` group this process started and has not stopped yet. Synchronous,
 * for signal handlers: another listener (wrangler's own, once its module is imported) may exit
 * the process right after.
 */
export function signalAllWranglerDev(signal = "SIGTERM") {
  for (const kill of running) kill(signal);
}
