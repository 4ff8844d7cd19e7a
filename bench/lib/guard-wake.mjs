// A guard shard's wake-up under wrangler dev (workerd) on a store holding a day of bindings: one
// workerd fills the shard's SQLite, a fresh one is started on the same store, and its first check
// waits for the rebuild (rows read from SQLite, index built). Reports that check's wall and CPU
// time, and the largest workerd's peak resident memory: the whole runtime, not the index alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { writeBenchConfig } from "./bench-worker-config.mjs";
import { groupCpuMs, peakWorkerdMb } from "./proc-cpu.mjs";

const MINUTES = 24 * 60 + 1; // WINDOW_MINUTES: the whole window, as a shard a day old holds it

const config = (dir) => writeBenchConfig(dir, { name: "milk-guard-wake-bench", main: "guard-wake-worker.ts", object: { binding: "WAKE_GUARD", className: "WakeBenchGuard" } });

async function call(server, path) {
  const response = await fetch(`${server.url}${path}`, { method: path.startsWith("/fill") ? "POST" : "GET" });
  if (!response.ok) throw new Error(`guard wake bench: ${path} answered HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

const start = async (dir) => startWranglerDev({ args: ["-c", config(dir), "--persist-to", join(dir, "state")], port: await freePort(), readyPath: "/ready" });

/** @param {{ keysPerMinute: number }} o  Null off Linux, where /proc is missing. */
export async function measureGuardWake({ keysPerMinute }) {
  if (groupCpuMs(process.pid) === null) return null;
  const dir = mkdtempSync(join(tmpdir(), "milk-guard-wake-"));
  let server;
  try {
    server = await start(dir);
    const { keys } = await call(server, `/fill?per=${keysPerMinute}&minutes=${MINUTES}`);
    await server.stop();
    server = await start(dir);
    const baselineMb = peakWorkerdMb(server.pid);
    const cpuBefore = groupCpuMs(server.pid);
    const started = performance.now();
    const { verdict, entries } = await call(server, "/check");
    const wallMs = Math.round(performance.now() - started);
    if (verdict !== "new") throw new Error(`guard wake bench: an unknown id was "${verdict}"`);
    return { keys_stored: keys, keys_indexed: entries, wake_wall_ms: wallMs, wake_cpu_ms: groupCpuMs(server.pid) - cpuBefore, workerd_peak_mb: peakWorkerdMb(server.pid), workerd_idle_mb: baselineMb };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
