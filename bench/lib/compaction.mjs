// Compaction at fleet scale (issue 11): for each N, an hour of raw objects (batches of 100
// simulator envelopes, ~1% redelivered duplicates) is compacted by the Worker's own src/lake/
// code in a child process capped at 128 MB of heap, against a disk-backed bucket.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { generateFleet } from "../../scripts/lib/fleet.mjs";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

const HOUR_START = Date.parse("2026-03-05T09:00:00.000Z");
const PARTITION = "dt=2026-03-05/hour=09";

async function bundleCompaction() {
  const outfile = join(ROOT, "bench", "tmp", "compaction.mjs");
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    stdin: {
      contents: `export { runCompactionStep } from "../../src/lake/compaction/compaction-queue";\nexport { compactionConfig } from "../../src/lake/compaction/config";\nexport { enqueueCompactions } from "../../src/lake/compaction/dirty-hours";`,
      resolveDir: dirname(outfile),
      loader: "ts",
    },
    bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], outfile, logLevel: "error",
  });
  return outfile;
}

/** Writes raw objects (and a stand-in batch twin each) for `events` envelopes of one hour; returns the distinct ids. */
function writeHour(dir, events) {
  const ids = new Set();
  let written = 0, batch = [], object = 0, chunk = 0;
  const flush = () => {
    const name = `20260305T10${String(object).padStart(7, "0")}Z-00000000-0000-4000-8000-${String(object).padStart(12, "0")}`;
    const raw = join(dir, `raw/${PARTITION}/${name}.ndjson.gz`);
    mkdirSync(dirname(raw), { recursive: true });
    writeFileSync(raw, gzipSync(batch.map((b) => JSON.stringify(b)).join("\n") + "\n"));
    writeFileSync(`${raw}.__meta.json`, JSON.stringify({ rows: String(batch.length), processed_at: new Date(HOUR_START + 3_600_000 + object).toISOString() }));
    mkdirSync(join(dir, `locations/${PARTITION}`), { recursive: true });
    writeFileSync(join(dir, `locations/${PARTITION}/${name}.parquet`), "stand-in batch file");
    object++;
    batch = [];
  };
  while (written < events) {
    // 400 drivers at a time keeps generation memory small; each group is a fresh seed.
    for (const item of generateFleet({ drivers: 400, minutes: 60, seed: 1000 + chunk++, startMs: HOUR_START, replayRate: 0, duplicateRate: 0.01 })) {
      const t = Date.parse(item.body.event.createdAt);
      if (t < HOUR_START || t >= HOUR_START + 3_600_000 || written >= events) continue;
      const id = item.body.event._id;
      ids.add(id);
      batch.push({ v: 1, id, receivedAt: new Date(item.atMs + 800).toISOString(), requestId: `bench-${written}`, source: "radar", event: item.body.event });
      written++;
      if (batch.length === 100) flush();
    }
  }
  if (batch.length) flush();
  return { ids: ids.size, rawObjects: object };
}

function runChild(bundle, dir) {
  const out = execFileSync(process.execPath, ["--max-old-space-size=128", "--expose-gc", join(ROOT, "bench/lib/compaction-child.mjs"), bundle, dir, PARTITION], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").at(-1));
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const byStep = (steps, field) => Object.fromEntries(["plan", "sort", "merge"].map((k) => [k, Math.max(...steps.filter((s) => s.step === k).map((s) => s[field] ?? 0))]));

/** One run: figures per step; expected Cloudflare wall-clock = plan + every shard + merge, one step at a time (milk-compact max_concurrency 1). */
async function measureOne(bundle, events) {
  const dir = mkdtempSync(join(tmpdir(), "milk-compaction-"));
  try {
    const hour = writeHour(dir, events);
    const started = performance.now();
    const { steps, max_rss_mb } = runChild(bundle, dir);
    const seconds = (performance.now() - started) / 1000;
    const merge = steps.find((s) => s.step === "merge");
    const sorts = steps.filter((s) => s.step === "sort").map((s) => s.ms);
    const plan = steps.find((s) => s.step === "plan").ms;
    const status = merge.result;
    if (status.rows !== hour.ids) throw new Error(`compaction wrote ${status.rows} rows for ${hour.ids} distinct ids`);
    const fileMb = listSizes(dir);
    return {
      events, distinct_ids: hour.ids, raw_objects: hour.rawObjects,
      peak_mb: Math.max(...steps.map((s) => s.peak_mb)), peak_step: steps.reduce((a, b) => (b.peak_mb > a.peak_mb ? b : a)).step,
      files: status.files, seconds: Number(seconds.toFixed(1)), max_rss_mb,
      shards: sorts.length, plan_s: plan / 1000, sort_s_mean: Number((sum(sorts) / sorts.length / 1000).toFixed(2)), sort_s_max: Math.max(...sorts) / 1000, merge_s: merge.ms / 1000,
      peak_mb_by_step: byStep(steps, "peak_mb"),
      live_peak_mb_by_step: byStep(steps, "live_peak_mb"),
      file_mb: fileMb,
      expected_cloudflare_s_estimate: Number(((plan + sum(sorts) + merge.ms) / 1000).toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listSizes(dir) {
  const out = execFileSync("find", [join(dir, `locations/${PARTITION}`), "-name", "rebuild-*.parquet"], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  return out.sort().map((f) => Number((statSync(f).size / 1048576).toFixed(1)));
}

export async function measureCompaction({ sizes }) {
  const bundle = await bundleCompaction();
  const runs = [];
  for (const events of sizes) {
    console.log(`  compaction of ${events} events…`);
    runs.push(await measureOne(bundle, events));
    console.log(`  ${JSON.stringify(runs.at(-1))}`);
  }
  return runs;
}
