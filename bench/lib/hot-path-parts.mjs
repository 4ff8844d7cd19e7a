// Cost of each step of the webhook's work (bench/hot-path-worker.ts), one step at a time: CPU of
// the whole `wrangler dev` (its workerd processes and Node) from /proc around a loop of N steps inside one request.
// Unlike the A/B webhook run, these figures do not depend on how the load shares two cores.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { writeBenchConfig } from "./bench-worker-config.mjs";
import { groupCpuMs } from "./proc-cpu.mjs";

// Steps per loop: enough CPU to read well above /proc's 10 ms tick.
// `webhook` is the edge's whole fetch handler, 32 requests at a time (bench/webhook-in-isolate.ts).
const PARTS = { loop: 20_000, hmac: 20_000, hashes: 20_000, json: 20_000, zod: 20_000, guard: 5_000, guard_send: 3_000, send: 3_000, packed_send: 3_000, packed_batch: 3_000, lake: 3_000, webhook: 4_000 };
// Parts whose requests are signed by a request of their own before each loop, outside its CPU.
const PREPARED = new Set(["webhook"]);
// After each loop: the guard writes behind within 1 s, the queue's consumer drains within 1 s.
const SETTLE_MS = 2_500;

const config = (dir) =>
  writeBenchConfig(dir, {
    name: "milk-hot-path-bench",
    main: "hot-path-worker.ts",
    object: { binding: "SIGNING_GUARD", className: "SigningGuard" },
    rest: `[[r2_buckets]]
binding = "LAKE_BUCKET"
bucket_name = "milk-hot-path-bench"
[[queues.producers]]
binding = "INGEST_QUEUE"
queue = "milk-hot-path-bench"
[[queues.consumers]]
queue = "milk-hot-path-bench"
max_batch_size = 100
max_batch_timeout = 1
# The guard records a point per packed send, as in the edge.
[[analytics_engine_datasets]]
binding = "METRICS"
dataset = "milk_hot_path_bench"
# The lake writer registers each Parquet object with the table (one send per batch); acked unread here.
[[queues.producers]]
binding = "TABLE_QUEUE"
queue = "milk-hot-path-table"
[[queues.consumers]]
queue = "milk-hot-path-table"
max_batch_size = 100
max_batch_timeout = 1
`,
  });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs the part's requests first when it needs them (PREPARED), outside any measured CPU. */
async function prepare(url, part, n) {
  if (PREPARED.has(part)) await request(`${url}/${part}_prepare?n=${n}`, part);
}

async function request(url, part) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`hot-path part ${part}: HTTP ${response.status} ${await response.text()}`);
}

/** One loop of `n` steps: CPU ms of the whole `wrangler dev` group and wall ms, settle included. */
async function measurePart(server, part, n) {
  const warmUp = Math.min(n, 100); // JIT, first guard and bucket writes
  await prepare(server.url, part, warmUp);
  await request(`${server.url}/${part}?n=${warmUp}`, part);
  await sleep(SETTLE_MS);
  await prepare(server.url, part, n);
  const before = groupCpuMs(server.pid);
  const started = performance.now();
  await request(`${server.url}/${part}?n=${n}`, part);
  await sleep(SETTLE_MS);
  return { n, cpu_ms: groupCpuMs(server.pid) - before, wall_ms: Math.round(performance.now() - started) };
}

/**
 * µs of CPU per step for each part: its CPU minus what the empty loop's rate of background CPU
 * (wrangler's own timers, the settle time) would have used over the same wall time. `scale`
 * shrinks the loops (smoke runs). Null off Linux, where /proc is missing.
 */
export async function measureHotPathParts({ scale = 1 } = {}) {
  if (groupCpuMs(process.pid) === null) return null;
  const dir = mkdtempSync(join(tmpdir(), "milk-hot-path-"));
  let server;
  try {
    server = await startWranglerDev({ args: ["-c", config(dir), "--persist-to", join(dir, "state")], port: await freePort(), readyPath: "/loop?n=1" });
    const raw = {};
    for (const [part, steps] of Object.entries(PARTS)) raw[part] = await measurePart(server, part, Math.max(1, Math.round(steps * scale)));
    const idlePerWallMs = raw.loop.cpu_ms / raw.loop.wall_ms;
    const perStep = ({ n, cpu_ms, wall_ms }) => +(((cpu_ms - idlePerWallMs * wall_ms) * 1000) / n).toFixed(1);
    const measured = Object.entries(raw).filter(([part]) => part !== "loop");
    return Object.fromEntries(measured.map(([part, r]) => [part, { steps: r.n, us_per_step: perStep(r), cpu_ms: r.cpu_ms, wall_ms: r.wall_ms }]));
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
