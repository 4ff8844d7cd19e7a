import { writeFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import { parquetMetadata, parquetReadObjects, type FileMetaData } from "hyparquet";
import { readParquet } from "parquet-wasm/node";
import { LOCATION_PARQUET_COLUMNS } from "../../src/sinks/lake-parquet";
import { compressors } from "../fixtures/parquet-compressors";
import { openDuckDb, queryRows } from "./duckdb";

export type Row = Record<string, unknown>;

/** One JS shape for every reader: timestamps and INT64 as epoch-ms / plain numbers. */
function plain(row: Row): Row {
  const out: Row = {};
  for (const { name } of LOCATION_PARQUET_COLUMNS) {
    const v = row[name];
    out[name] = v instanceof Date ? v.getTime() : typeof v === "bigint" ? Number(v) : v;
  }
  return out;
}

export async function readWithDuckDb(bytes: Uint8Array, path: string): Promise<Row[]> {
  writeFileSync(path, bytes);
  const select = LOCATION_PARQUET_COLUMNS.map((c) => (c.kind === "timestamp_ms" ? `epoch_ms(${c.name}) AS ${c.name}` : c.name));
  const db = await openDuckDb();
  try {
    return (await queryRows(db, `SELECT ${select.join(", ")} FROM read_parquet('${path}')`)).map(plain);
  } finally {
    db.closeSync();
  }
}

export async function readWithHyparquet(bytes: Uint8Array): Promise<Row[]> {
  const file = bytes.slice().buffer;
  return ((await parquetReadObjects({ file, compressors })) as Row[]).map(plain);
}

/** arrow-rs (Rust, compiled to WASM) decodes; apache-arrow only turns its Arrow IPC into JS values. */
export function readWithParquetWasm(bytes: Uint8Array): Row[] {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  return table.toArray().map((row) => plain(row.toJSON() as Row));
}

export const READERS = ["duckdb", "hyparquet", "parquet-wasm"] as const;

export async function readAll(bytes: Uint8Array, path: string): Promise<Record<(typeof READERS)[number], Row[]>> {
  return { duckdb: await readWithDuckDb(bytes, path), hyparquet: await readWithHyparquet(bytes), "parquet-wasm": readWithParquetWasm(bytes) };
}

export function readMetadata(bytes: Uint8Array): FileMetaData {
  return parquetMetadata(bytes.slice().buffer);
}
