// DuckDB over a pulled lake folder: the `milk_events` view (hive partitions, UTC, deduped by id),
// over exactly the Iceberg table's current snapshot when the folder holds the table.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { currentTableFiles } from "./lake-table.mjs";

function hasParquet(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith(".parquet"));
}

const sqlString = (text) => `'${text.replaceAll("'", "''")}'`;

/**
 * What `milk_events_raw` reads: the table's current snapshot (as Snowflake would), or with
 * `allFiles` (or before the first commit) every Parquet object under locations/.
 */
async function parquetSource(lakeDir, allFiles) {
  const table = allFiles ? null : await currentTableFiles(lakeDir);
  if (table?.files.length) return { sql: `[${table.files.map(sqlString).join(", ")}]`, source: `table snapshot ${table.snapshotId} (${table.files.length} files)` };
  return { sql: sqlString(join(lakeDir, "locations", "**", "*.parquet")), source: "every Parquet object under locations/" };
}

/** Opens in-memory DuckDB with `milk_events_raw` (every row) and `milk_events` (one row per id). */
export async function openLake(lakeDir, { allFiles = false } = {}) {
  const locations = join(lakeDir, "locations");
  if (!hasParquet(locations)) throw new Error(`no Parquet files under ${locations}; run \`npm run lake -- pull\` first`);
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
  const db = await instance.connect();
  await db.run("SET TimeZone = 'UTC'");
  const { sql, source } = await parquetSource(lakeDir, allFiles);
  await db.run(`CREATE VIEW milk_events_raw AS SELECT * FROM read_parquet(${sql}, hive_partitioning = true, hive_types = {'dt': DATE, 'hour': INTEGER}, union_by_name = true)`);
  // At-least-once delivery can land an event twice. Keep the copy compaction keeps (lake order
  // user_id, created_at, then first processed, then first received): the order Snowflake's
  // MILK.STAGING.milk_events uses (snowflake/iceberg/05-table.sql; test/node/snowflake-analytics.test.ts).
  await db.run(`CREATE VIEW milk_events AS SELECT * EXCLUDE (copy_rank) FROM (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY user_id NULLS LAST, created_at_ms, process_timestamp, received_at) AS copy_rank FROM milk_events_raw
  ) WHERE copy_rank = 1`);
  return { db, source, close: () => db.closeSync() };
}

function cell(value) {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" && !Number.isInteger(value)) return String(Number(value.toFixed(6)));
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Runs SQL and returns { columns, rows } with display strings. */
export async function queryTable(db, sql) {
  const reader = await db.runAndReadAll(sql);
  const columns = reader.columnNames();
  // DuckDB's own text form for dates and timestamps (UTC session), JS numbers otherwise.
  const rows = reader.getRows().map((row) => row.map((v) => (v !== null && typeof v === "object" ? String(v) : typeof v === "bigint" ? String(v) : v)).map(cell));
  return { columns, rows };
}

/** A plain-text table, one result row per line. */
export function formatTable({ columns, rows }) {
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...rows.map((r) => r[i].length))));
  const line = (cells) => cells.map((c, i) => c.slice(0, 60).padEnd(widths[i])).join(" | ").trimEnd();
  return [line(columns), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line), `(${rows.length} row${rows.length === 1 ? "" : "s"})`].join("\n");
}
