#!/usr/bin/env node
// npm run bench [-- --smoke]: webhook vs no-op, its steps one by one, encode and storage vs DuckDB,
// freshness, cost, writers, compaction.
// Writes bench/results.json. Never fails on speed: numbers are for reading, ratios for comparing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { intOption, parseCli, usageError } from "../scripts/lib/cli.mjs";
import { ROOT } from "../scripts/lib/dev-vars.mjs";
import { freePort } from "../scripts/lib/free-port.mjs";
import { startPipeline } from "../scripts/lib/local-pipeline.mjs";
import { signalAllWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import { buildEnvelopes } from "./lib/dataset.mjs";
import { costAtRate } from "./lib/cost.mjs";
import { measureCompaction } from "./lib/compaction.mjs";
import { measureTableScale } from "./lib/table-scale.mjs";
import { measureEncodeAndStorage } from "./lib/encode-storage.mjs";
import { measureFreshness } from "./lib/freshness.mjs";
import { measureGuardIndex } from "./lib/guard-index.mjs";
import { measureGuardWake } from "./lib/guard-wake.mjs";
import { measureHotPathParts } from "./lib/hot-path-parts.mjs";
import { measurePackSizes } from "./lib/pack-sizes.mjs";
import { measureWebhook } from "./lib/webhook.mjs";
import { startEdgeOnly } from "./lib/edge-only.mjs";
import { ensureWrk } from "./lib/wrk.mjs";
import { measureWriters } from "./lib/writers.mjs";

const SECTIONS = ["encode", "webhook", "packs", "guard", "parts", "freshness", "cost", "writers", "compaction", "table"];
const { values } = parseCli({
  help: `
usage: npm run bench [-- --smoke] [--only SECTIONS] [--connections N] [--gather-ms N] [--out FILE]

Measures the pipeline on this machine and writes the figures docs/performance.md cites. Never fails
on speed: figures are for reading, ratios for comparing. A full run takes about 30 minutes here,
most of it compaction; run nothing else heavy beside it. Ctrl-C, SIGTERM or SIGHUP stop the
wrangler dev processes it started (exit 130).

options:
  --smoke            tiny sizes, a few minutes (what CI runs); writes bench/tmp/results-smoke.json
  --only SECTIONS    comma-separated, from: ${SECTIONS.join(", ")}; writes bench/tmp/results-<sections>.json
  --connections N    webhook load, closed-loop wrk connections (default 32; wrk is installed with
                     apt-get when missing, or the bench says how)
  --gather-ms N       the pipeline's SIGNING_GUARD_GATHER_MS (default: wrangler.toml's; 0 turns the
                     guard's gather window off, for an A/B of its effect)
  --out FILE         write the results here instead (a full run writes bench/results.json)

example:
  npm run bench -- --only webhook,parts`,
  options: { smoke: { type: "boolean", default: false }, out: { type: "string" }, only: { type: "string" }, connections: { type: "string", default: "32" }, "gather-ms": { type: "string" } },
});
// --only runs some sections (for working on one); a full run is what results.json records.
const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((s) => !SECTIONS.includes(s)) ?? [];
if (unknown.length) usageError(`unknown bench section${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; known: ${SECTIONS.join(", ")}`);
const want = (section) => !only || only.includes(section);
// The sections' wrangler dev groups run detached: Ctrl-C, SIGTERM or SIGHUP signals them too and
// removes the pipeline's private config (it holds the dev secrets) and its state. Synchronous and
// first in line: wrangler's module (imported for getPlatformProxy) adds a listener that exits at once.
let pipeline, state;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.prependListener(signal, () => {
    writeSync(2, `\n${signal} received: stopping the bench's wrangler dev processes\n`);
    signalAllWranglerDev("SIGTERM");
    pipeline?.removeConfig();
    if (state) rmSync(state, { recursive: true, force: true });
    process.exit(130);
  });
}
// Webhook load: closed-loop wrk connections; 32 by default, as issue 20 measured.
const connections = intOption(values, "connections", { min: 1, max: 1024 });
const smoke = values.smoke;
const plan = smoke
  ? { rows: 2_000, rounds: 1, pairs: 1, seconds: 1, warmUpSeconds: 1, leadInSeconds: 1, rate: 50, freshSeconds: 2, packRates: [10, 100], packSeconds: 1 }
  : { rows: 100_000, rounds: 8, pairs: 16, seconds: 4, warmUpSeconds: 5, leadInSeconds: 1, rate: 200, freshSeconds: 20, packRates: [10, 100, 333, 1000], packSeconds: 30 };
const DEFAULT_SUCCESS_SAMPLE_RATE = 0.001; // src/edge/request-log.ts
const BATCH_TIMEOUT_S = 5; // wrangler.toml [[queues.consumers]] milk-ingest max_batch_timeout
// wrangler.toml's milk-table max_batch_timeout (the commit interval), the same in every environment.
const TABLE_INTERVAL_S = 15;
const step = (s) => console.log(`\n▶ ${s}`);

const results = { generated_at: new Date().toISOString(), mode: smoke ? "smoke" : only ? `only ${only.join(",")}` : "full", gather_ms: values["gather-ms"] ?? "wrangler.toml", machine: { node: process.version, cpus: (await import("node:os")).cpus().length } };

const envelopes = buildEnvelopes(plan.rows);
const forwardShare = envelopes.filter((m) => m.event.type.includes("geofence")).length / envelopes.length;
if (want("encode") || want("cost")) {
  step(`encode + storage on ${plan.rows} simulator rows (seed 20260305)`);
  Object.assign(results, await measureEncodeAndStorage(envelopes, { runs: smoke ? 1 : 3 }));
}

if (want("writers")) {
  step(`writers: in-house vs parquet-wasm vs hyparquet-writer on ${plan.rows} rows`);
  Object.assign(results, await measureWriters(envelopes, { runs: smoke ? 1 : 3 }));
}

if (want("webhook") || want("freshness") || want("packs") || want("cost")) {
  state = mkdtempSync(join(tmpdir(), "milk-bench-"));
  const logLines = [];
  const vars = values["gather-ms"] === undefined ? {} : { SIGNING_GUARD_GATHER_MS: String(intOption(values, "gather-ms", { min: 0, max: 2000 })) };
  pipeline = await startPipeline({ port: await freePort(), kinesisPort: 0, persistTo: state, vars, onLog: (line) => logLines.push(line) });
  try {
    if (want("packs") || want("cost")) {
      step(`pack sizes: events per queue message at ${plan.packRates.join(", ")} events/s (one shard at its share), ${plan.packSeconds}s each`);
      results.packs = await measurePackSizes({ url: pipeline.url, token: pipeline.token, logLines, rates: plan.packRates, seconds: plan.packSeconds, drainMs: (BATCH_TIMEOUT_S + 2) * 1000 });
    }
    if (want("webhook")) {
      ensureWrk();
      step(`webhook: ${plan.rounds} A/B-B/A rounds and ${plan.pairs} pairs of ${plan.seconds}s (each after ${plan.leadInSeconds}s of the same load) after ${plan.warmUpSeconds}s of warm-up each, at ${connections} connections, ours vs no-op Worker`);
      const edgeState = mkdtempSync(join(tmpdir(), "milk-bench-edge-"));
      const edge = await startEdgeOnly({ port: await freePort(), persistTo: edgeState, vars });
      try {
        const both = { edge: { url: edge.url, pid: edge.pid }, pipeline: { url: pipeline.url, pid: pipeline.wranglerPid } };
        results.webhook = await measureWebhook({ ...both, token: pipeline.token, port: await freePort(), rounds: plan.rounds, pairs: plan.pairs, seconds: plan.seconds, warmUpSeconds: plan.warmUpSeconds, leadInSeconds: plan.leadInSeconds, connections });
      } finally {
        await edge.stop();
        rmSync(edgeState, { recursive: true, force: true });
      }
    }
    if (want("freshness")) {
      step(`freshness: ${plan.rate} events/s for ${plan.freshSeconds}s`);
      results.freshness = await measureFreshness({ url: pipeline.url, token: pipeline.token, persist: join(state, "v3"), rate: plan.rate, seconds: plan.freshSeconds, batchTimeoutS: BATCH_TIMEOUT_S, tableIntervalS: TABLE_INTERVAL_S });
    }
  } finally {
    await pipeline.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

if (want("guard")) {
  step("guard index at its bound: bytes per key, wake-up rebuild, lookup");
  results.guard_index = await measureGuardIndex({ keys: smoke ? 200_000 : 8_000_000 });
  step("guard wake-up in wrangler dev: a day of bindings in SQLite, read back and indexed by a fresh workerd");
  results.guard_wake = await measureGuardWake({ keysPerMinute: smoke ? 140 : 5_556 });
}

if (want("parts")) {
  step("hot-path parts: CPU per step of the webhook's work in wrangler dev, one step at a time");
  results.hot_path_parts = await measureHotPathParts({ scale: smoke ? 0.05 : 1 });
}

if (want("cost")) {
  // Every line at each measured rate (bench/lib/cost.mjs); pack sizes measured under wrangler dev above.
  results.cost = results.packs.filter((p) => p.rate_per_s).map((p) =>
    costAtRate({
      rate: p.rate_per_s,
      eventsPerMessage: p.events_per_message ?? 1,
      forwardEventsPerMessage: p.forward_events_per_message ?? undefined,
      envelopeBytes: results.storage.raw_json_bytes_per_row,
      forwardShare,
      edgeCpuMs: 1,
      consumerCpuMsPerEvent: 1000 / results.encode.rows_per_s,
      parquetBytesPerEvent: results.storage.bytes_per_row_100k,
      rawBytesPerEvent: results.storage.ndjson_gzip_bytes_per_row,
      retentionMonths: 12,
      successLogRate: DEFAULT_SUCCESS_SAMPLE_RATE,
      tableIntervalS: 15, // staging and production commit interval (wrangler.toml)
    }),
  );
}

if (want("compaction")) {
  const sizes = smoke ? [2_000] : [100_000, 1_000_000, 2_000_000];
  step(`compaction: ${sizes.join(", ")} events, each run in a child capped at 128 MB of heap`);
  results.compaction = await measureCompaction({ sizes });
}

if (want("table")) {
  const sizes = smoke ? [1_000] : [1_000, 13_000, 65_000];
  step(`table: appends and one overwrite on tables of ${sizes.join(", ")} live files, child capped at 128 MB of heap`);
  results.table_scale = await measureTableScale({ sizes });
}

const defaultOut = smoke ? "tmp/results-smoke.json" : only ? `tmp/results-${only.join("-")}.json` : "results.json";
const out = values.out ?? join(ROOT, "bench", defaultOut);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
const row = (k, v) => console.log(`  ${k.padEnd(34)} ${v}`);
console.log("\nResults");
if (results.webhook) {
  row("webhook (edge) rps / no-op rps / ratio", `${results.webhook.rps} / ${results.webhook.noop_rps} / ${results.webhook.ratio}, 95% [${results.webhook.ratio_ci95.join("–")}] over ${results.webhook.pairs} pairs (goal ≥ 0.8); full rounds alone ${results.webhook.full_rounds.ratio}`);
  row("no-op shaped like ours rps / ratio", `${results.webhook.noop_shaped_rps} / ${results.webhook.ratio_vs_noop_shaped} (per round ${results.webhook.ratio_vs_noop_shaped_per_round.join(", ")}); shaped vs plain no-op ${results.webhook.noop_shaped_vs_noop}`);
  row("ratio per pair: median [min–max]", `${results.webhook.ratio_median} [${results.webhook.ratio_min}–${results.webhook.ratio_max}]`);
  row("CPU ms/request ours / no-op", `${results.webhook.cpu_ms_per_request ?? "n/a"} / ${results.webhook.noop_cpu_ms_per_request ?? "n/a"}`);
  row("no-op + 1 log line rps / ratio", `${results.webhook.noop_with_log_rps} / ${results.webhook.ratio_vs_noop_with_log}`);
  row("no-op + 1 queue send rps / ratio", `${results.webhook.noop_with_send_rps} / ${results.webhook.ratio_vs_noop_with_send}`);
  row("mandatory-work floor rps / vs no-op; ours vs it", `${results.webhook.checked_floor_rps} / ${results.webhook.checked_floor_vs_noop}; ${results.webhook.ratio_vs_checked_floor} (per round ${results.webhook.ratio_vs_checked_floor_per_round.join(", ")}); its non-2xx ${results.webhook.checked_floor_non2xx}`);
  row("packing floor rps / vs no-op; ours vs it", `${results.webhook.noop_with_packing_rps} / ${results.webhook.packing_floor_vs_noop}; ${results.webhook.ratio_vs_packing_floor} (per round ${results.webhook.ratio_vs_packing_floor_per_round.join(", ")})`);
  row("Worker's workerd CPU ms/request", Object.entries(results.webhook.worker_cpu_ms_per_request).map(([k, v]) => `${k} ${v ?? "n/a"}`).join(", "));
  const budget = results.webhook.cpu_budget;
  if (budget) row("CPU budget: no-op + N arithmetic steps", `${budget.references.map((b) => `${b.steps}: ratio ${b.ratio_vs_noop}, +${b.added_worker_cpu_ms ?? "n/a"} ms`).join("; ")}; 0.8 at +${budget.added_worker_cpu_at_0_8_ms ?? "n/a"} ms (interpolated); ours +${budget.ours_added_worker_cpu_ms ?? "n/a"} ms`);
  row("no-op + 1 DO call (+ send) rps", `${results.webhook.noop_with_object_rps} (${results.webhook.noop_with_object_and_send_rps}); ratio ${results.webhook.ratio_vs_noop_with_object_and_send}`);
  row("whole pipeline rps / no-op rps / ratio (per round)", `${results.webhook.pipeline_rps} / ${results.webhook.pipeline_noop_rps} / ${results.webhook.pipeline_ratio} (${results.webhook.pipeline_ratio_per_round.join(", ")})`);
  row("webhook p50 / p99 ms; non-2xx", `${results.webhook.p50_ms} / ${results.webhook.p99_ms}; ${results.webhook.non2xx}`);
}
if (results.hot_path_parts) {
  row("µs CPU per step (wrangler dev)", Object.entries(results.hot_path_parts).map(([p, r]) => `${p} ${r.us_per_step}`).join(", "));
}
if (results.encode) {
  row("encode rows/s ours / DuckDB zstd", `${results.encode.rows_per_s} / ${results.encode.duckdb_rows_per_s}`);
  row("bytes/row batch of 100", results.storage.bytes_per_row_batch100);
  row("bytes/row 100k ours / DuckDB zstd", `${results.storage.bytes_per_row_100k} / ${results.storage.duckdb_zstd_bytes_per_row} (goal: ours ≤ DuckDB zstd)`);
  row("bytes/row DuckDB snappy", results.storage.duckdb_snappy_bytes_per_row);
  row("bytes/row NDJSON gzip / raw JSON", `${results.storage.ndjson_gzip_bytes_per_row} / ${results.storage.raw_json_bytes_per_row}`);
}
if (results.writers) {
  for (const w of results.writers.table) row(w.writer.slice(0, 34), `${w.bytes_per_row} B/row, ${w.rows_per_s} rows/s, peak RSS +${w.peak_rss_growth_mb} MB, ${Object.entries(w.readers).map(([r, s]) => `${r} ${s}`).join("; ")}`);
  for (const [k, b] of Object.entries(results.writers.bundle)) if (b.gzip_kb) row(`bundle ${k}`, `${b.raw_kb} KB raw / ${b.gzip_kb} KB gzip`);
}
if (results.freshness) row("freshness p50 / p99 ms", `${results.freshness.p50_ms} / ${results.freshness.p99_ms} at ${results.freshness.rate_per_s}/s`);
if (results.freshness) row("  to table snapshot p50 / p99 ms", `${results.freshness.table_p50_ms} / ${results.freshness.table_p99_ms} (goal p99 ≤ 45000; ${results.freshness.table_committed}/${results.freshness.accepted} committed)`);
for (const p of (results.packs ?? []).filter((x) => x.rate_per_s)) row(`pack at ${p.rate_per_s}/s (${p.shards} shards)`, `${p.events_per_message} events per message (forward ${p.forward_events_per_message}), ${p.queue_messages} messages, one shard at ${p.reached_per_s}/s, statuses ${JSON.stringify(p.statuses)}`);
if (results.guard_index) row("guard index: B/key, rebuild, lookup", `${results.guard_index.bytes_per_key} B (${results.guard_index.index_mb} MB for ${results.guard_index.keys} keys), ${results.guard_index.rebuild_cpu_ms} ms, ${results.guard_index.lookup_us} µs`);
if (results.guard_wake) row("guard wake-up in workerd (SQLite + index)", `${results.guard_wake.keys_indexed} keys: ${results.guard_wake.wake_wall_ms} ms wall, ${results.guard_wake.wake_cpu_ms} ms CPU; workerd peak ${results.guard_wake.workerd_peak_mb} MB (idle ${results.guard_wake.workerd_idle_mb} MB)`);
const replays = results.packs?.find((x) => x.earliest_replays_with_another_body);
if (replays) row("earliest ids replayed, refused", `${replays.refused_401} of ${replays.earliest_replays_with_another_body} (goal: all)`);
for (const c of results.cost ?? []) {
  row(`cost at ${c.rate_per_s}/s (${c.shards} shards)`, `$${c.usd_per_million_events} per million events (goal at 333/s: ≤ 0.60)`);
  for (const line of c.lines) row(`  ${line.item}`.slice(0, 34), `$${line.usd}`);
}
for (const run of results.compaction ?? []) {
  row(`compaction ${run.events} events`, `peak ${run.peak_mb} MB (${run.peak_step}), live merge ${run.live_peak_mb_by_step.merge} MB, ${run.files} file(s), ${run.seconds} s serial, ~${run.expected_cloudflare_s_estimate} s on Queues (estimate)`);
}
for (const t of results.table_scale ?? []) {
  for (const op of ["append", "append_merging", "append_after_merge", "overwrite"].filter((o) => t[o])) row(`table ${t.live_files} files: ${op}`, `${t[op].cpu_ms} ms CPU, peak +${t[op].peak_growth_mb} MB, ${t[op].manifest_reads} manifests read, ${t[op].bytes_read} B read, ${t[op].bytes_written} B written`);
}
console.log(`\nWrote ${out}`);
