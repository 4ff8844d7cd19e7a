// Writer comparison (issue 12): the in-house writer vs parquet-wasm (arrow-rs) and hyparquet-writer's
// public API, on the bench's rows: bytes/row, encode rows/s, memory, reader matrix, bundle size.
// Measured in Node (V8, as in workerd); memory is JS heap + ArrayBuffers (+ WASM linear memory).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { tableFromIPC, tableToIPC, Table, vectorFromArray, Utf8, TimestampMillisecond, Int64, Int32, Float64, Bool } from "apache-arrow";
import { build } from "esbuild";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import * as wasm from "parquet-wasm/node";
import { gunzipSync } from "fflate";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { buildEnvelopes } from "./dataset.mjs";
import { loadLakeModules } from "./bundle-lake.mjs";

const PROCESSED_MS = Date.parse("2026-03-05T12:00:00.000Z");
const ARROW = { string: () => new Utf8(), timestamp_ms: () => new TimestampMillisecond(), int64: () => new Int64(), int32: () => new Int32(), double: () => new Float64(), boolean: () => new Bool() };
const HYPARQUET = { string: "STRING", timestamp_ms: "TIMESTAMP", int64: "INT64", int32: "INT32", double: "DOUBLE", boolean: "BOOLEAN" };

function arrowTable(lake, columns) {
  const vectors = {};
  lake.LOCATION_PARQUET_COLUMNS.forEach((c, i) => {
    const data = c.kind === "int64" ? columns[i].map((v) => (v === null ? null : BigInt(v))) : columns[i];
    vectors[c.name] = vectorFromArray(data, ARROW[c.kind]());
  });
  return new Table(vectors);
}

function writeWasm(lake, columns, codec) {
  const table = wasm.Table.fromIPCStream(tableToIPC(arrowTable(lake, columns), "stream"));
  const props = new wasm.WriterPropertiesBuilder().setWriterVersion(wasm.WriterVersion.V1).setCompression(wasm.Compression[codec]).build();
  return wasm.writeParquet(table, props);
}

function writeHyparquet(lake, columns, codec) {
  const columnData = lake.LOCATION_PARQUET_COLUMNS.map((c, i) => ({ name: c.name, type: HYPARQUET[c.kind], nullable: !c.required, data: c.kind === "timestamp_ms" ? columns[i].map((v) => (v === null ? null : new Date(v))) : c.kind === "int64" ? columns[i].map((v) => (v === null ? null : BigInt(v))) : columns[i] }));
  const compressors = { GZIP: (b) => gzipSync(b) }; // Node 20 has no zstd; hyparquet-writer needs a sync compressor
  return new Uint8Array(parquetWriteBuffer({ columnData, codec, compressors }));
}

function candidates(lake, sorted, columns) {
  return [
    ["in-house (GZIP, v1, dict+PLAIN)", () => lake.encodeLocationParquet(sorted)],
    ...["SNAPPY", "GZIP", "ZSTD"].map((codec) => [`parquet-wasm 0.8 (${codec}, v1)`, () => writeWasm(lake, columns, codec)]),
    ...["SNAPPY", "GZIP"].map((codec) => [`hyparquet-writer 0.17 (${codec}, v2 pages)`, () => writeHyparquet(lake, columns, codec)]),
  ];
}

/** Peak RSS growth of one encode, in a fresh process so no other writer's garbage or WASM memory counts. */
function peakRssMb(rows, index) {
  const out = execFileSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), String(rows), String(index)], { encoding: "utf8" });
  return +(JSON.parse(out.trim().split("\n").at(-1)).peak_rss_growth / 2 ** 20).toFixed(1);
}

const jsBytes = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

/** Best wall time of `runs` and the largest JS+ArrayBuffer growth seen (sampled between event-loop turns). */
async function measure(runs, fn) {
  let best = Infinity, peak = 0, out;
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const base = jsBytes();
    const timer = setInterval(() => (peak = Math.max(peak, jsBytes() - base)), 1);
    const t = performance.now();
    out = await fn();
    best = Math.min(best, performance.now() - t);
    clearInterval(timer);
    peak = Math.max(peak, jsBytes() - base);
  }
  return { ms: best, peak, bytes: out };
}

async function readMatrix(bytes, dir, rows) {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.parquet`);
  writeFileSync(file, bytes);
  const result = {};
  const meta = parquetMetadata(bytes.slice().buffer);
  result.encodings = [...new Set(meta.row_groups.flatMap((g) => g.columns.flatMap((c) => c.meta_data.encodings)))].sort().join(" ");
  const attempt = async (name, fn) => { try { result[name] = (await fn()) === rows ? "ok" : "wrong count"; } catch (e) { result[name] = `fails: ${String(e.message ?? e).slice(0, 60)}`; } };
  await attempt("duckdb", async () => { const i = await DuckDBInstance.create(":memory:"); const c = await i.connect(); const r = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT user_id)::INTEGER AS u FROM read_parquet('${file}')`); c.closeSync(); return r.getRowObjectsJS()[0].n; });
  await attempt("hyparquet", async () => (await parquetReadObjects({ file: bytes.slice().buffer, compressors: { GZIP: (b, n) => gunzipSync(b, { out: new Uint8Array(n) }) } })).length);
  await attempt("parquet-wasm", () => tableFromIPC(wasm.readParquet(bytes).intoIPCStream()).numRows);
  return result;
}

async function bundleSize(entry, dir) {
  const out = join(dir, `b-${Math.random().toString(36).slice(2)}.js`);
  await build({ stdin: { contents: entry, resolveDir: ROOT, loader: "ts" }, bundle: true, minify: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], outfile: out, logLevel: "error", loader: { ".wasm": "file" } });
  return readFileSync(out);
}

export async function measureWriters(envelopes, { runs = 3 } = {}) {
  const lake = await loadLakeModules();
  const dir = mkdtempSync(join(tmpdir(), "milk-writers-"));
  try {
    const sorted = lake.sortRecords(envelopes.map((m) => lake.normalizeEvent(m, PROCESSED_MS)));
    const columns = lake.toColumns(sorted);
    const n = sorted.length;
    const table = [];
    for (const [index, [name, fn]] of candidates(lake, sorted, columns).entries()) {
      await fn(); // warm up
      const wasmBefore = wasm.wasmMemory().buffer.byteLength;
      const m = await measure(runs, fn);
      const wasmGrowth = wasm.wasmMemory().buffer.byteLength - wasmBefore;
      table.push({ writer: name, bytes_per_row: +(m.bytes.byteLength / n).toFixed(2), rows_per_s: Math.round(n / (m.ms / 1000)), peak_js_mb: +(m.peak / 2 ** 20).toFixed(1), wasm_memory_growth_mb: +(wasmGrowth / 2 ** 20).toFixed(1), peak_rss_growth_mb: peakRssMb(n, index), readers: await readMatrix(m.bytes, dir, n) });
    }
    const lakeJs = await bundleSize(`export { encodeLocationParquet } from "./src/sinks/lake-parquet";`, dir);
    const hypJs = await bundleSize(`export { parquetWriteBuffer } from "hyparquet-writer";`, dir);
    const wasmJs = readFileSync(join(ROOT, "node_modules/parquet-wasm/esm/parquet_wasm.js"));
    const wasmBin = readFileSync(join(ROOT, "node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm"));
    const kb = (b) => +(b.byteLength / 1024).toFixed(1);
    const bundle = {
      in_house: { raw_kb: kb(lakeJs), gzip_kb: kb(gzipSync(lakeJs)) },
      hyparquet_writer: { raw_kb: kb(hypJs), gzip_kb: kb(gzipSync(hypJs)) },
      parquet_wasm: { raw_kb: kb(wasmJs) + kb(wasmBin), gzip_kb: +(kb(gzipSync(wasmJs)) + kb(gzipSync(wasmBin))).toFixed(1), note: "JS glue + .wasm; plus apache-arrow to build its input" },
      limits_compressed_kb: { free: 3 * 1024, paid: 10 * 1024 },
    };
    return { writers: { rows: n, table, bundle } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Child mode (`node writers.mjs <rows> <candidate>`): one encode, then print the peak RSS it added.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lake = await loadLakeModules();
  const sorted = lake.sortRecords(buildEnvelopes(Number(process.argv[2])).map((m) => lake.normalizeEvent(m, PROCESSED_MS)));
  const columns = lake.toColumns(sorted);
  const [, fn] = candidates(lake, sorted, columns)[Number(process.argv[3])];
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const baseline = process.resourceUsage().maxRSS * 1024;
  await fn();
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ peak_rss_growth: peak - Math.max(before, baseline) }));
}
