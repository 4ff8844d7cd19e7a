// Encode speed and bytes per row: our normalize + Parquet vs DuckDB's COPY, gzip NDJSON, raw JSON.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadLakeModules } from "./bundle-lake.mjs";

const PROCESSED_MS = Date.parse("2026-03-05T12:00:00.000Z");

async function timeBest(runs, fn) {
  let best = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, result };
}

/** Our lake writer's work for one batch: normalize, sort, encode. */
function encodeOurs(lake, envelopes) {
  const records = envelopes.map((m) => lake.normalizeEvent(m, PROCESSED_MS));
  return lake.encodeLocationParquet(lake.sortRecords(records));
}

async function duckdbCopy(records, dir, runs) {
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false", threads: "1" });
  const db = await instance.connect();
  const jsonPath = join(dir, "records.ndjson");
  writeFileSync(jsonPath, records.map((r) => JSON.stringify(r)).join("\n"));
  const tsCols = ["created_at", "actual_created_at", "received_at", "trip_created_at", "trip_updated_at", "trip_started_at", "process_timestamp", "process_hour"];
  const select = Object.keys(records[0]).map((c) => (tsCols.includes(c) ? `make_timestamp(${c}::BIGINT * 1000) AS ${c}` : c)).join(", ");
  await db.run(`CREATE TABLE rows AS SELECT ${select} FROM read_json('${jsonPath}', format = 'newline_delimited')`);
  const out = {};
  for (const codec of ["snappy", "zstd"]) {
    const file = join(dir, `duck-${codec}.parquet`);
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await db.run(`COPY (SELECT * FROM rows ORDER BY user_id NULLS LAST, created_at, id) TO '${file}' (FORMAT parquet, COMPRESSION ${codec})`);
      best = Math.min(best, performance.now() - t);
    }
    out[codec] = { ms: best, bytes: statSync(file).size };
  }
  db.closeSync();
  return out;
}

/** Runs the encode and storage measurements on `rows` envelopes (batches of 100 for the small-file case). */
export async function measureEncodeAndStorage(envelopes, { runs = 3 } = {}) {
  const lake = await loadLakeModules();
  const dir = mkdtempSync(join(tmpdir(), "milk-bench-"));
  try {
    await encodeOurs(lake, envelopes.slice(0, 1000)); // warm up the JIT
    const big = await timeBest(runs, () => encodeOurs(lake, envelopes));
    const batches = [];
    for (let i = 0; i + 100 <= envelopes.length && batches.length < 200; i += 100) batches.push(envelopes.slice(i, i + 100));
    let batchBytes = 0;
    for (const b of batches) batchBytes += (await encodeOurs(lake, b)).byteLength;
    const records = lake.sortRecords(envelopes.map((m) => lake.normalizeEvent(m, PROCESSED_MS)));
    const duck = await duckdbCopy(records, dir, runs);
    const rawJson = envelopes.map((m) => JSON.stringify(m)).join("\n") + "\n";
    const n = envelopes.length;
    return {
      encode: {
        rows: n,
        rows_per_s: Math.round(n / (big.ms / 1000)),
        duckdb_rows_per_s: Math.round(n / (duck.zstd.ms / 1000)),
        duckdb_snappy_rows_per_s: Math.round(n / (duck.snappy.ms / 1000)),
      },
      storage: {
        bytes_per_row_batch100: +(batchBytes / (batches.length * 100)).toFixed(1),
        bytes_per_row_100k: +(big.result.byteLength / n).toFixed(2),
        duckdb_snappy_bytes_per_row: +(duck.snappy.bytes / n).toFixed(2),
        duckdb_zstd_bytes_per_row: +(duck.zstd.bytes / n).toFixed(2),
        ndjson_gzip_bytes_per_row: +(gzipSync(rawJson).byteLength / n).toFixed(2),
        raw_json_bytes_per_row: +(Buffer.byteLength(rawJson) / n).toFixed(1),
        rows: n,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
