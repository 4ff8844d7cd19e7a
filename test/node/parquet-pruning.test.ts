import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDBConnection } from "@duckdb/node-api";
import { encodeLocationParquet, LOCATION_PARQUET_COLUMNS, sortRecords } from "../../src/sinks/lake-parquet";
import { writeParquet } from "../../src/sinks/parquet/write-parquet";
import type { ColumnValue } from "../../src/sinks/parquet/column-spec";
import { openDuckDb, queryRows } from "./duckdb";
import { asStored, edgeRecords } from "./parquet-edge-records";
import { readMetadata } from "./parquet-readers";

const dir = mkdtempSync(join(tmpdir(), "pruning-"));
const STRING_COLUMNS = LOCATION_PARQUET_COLUMNS.filter((c) => c.kind === "string").map((c) => c.name);
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("DuckDB prunes row groups with our statistics and still finds every row", () => {
  let db: DuckDBConnection;
  const file = join(dir, "edge.parquet");
  const records = edgeRecords();

  beforeAll(async () => {
    writeFileSync(file, await encodeLocationParquet(sortRecords(records)));
    db = await openDuckDb();
  });
  afterAll(() => db?.closeSync());

  it.each(STRING_COLUMNS)("WHERE %s = value counts the true rows for every distinct string", async (column) => {
    const counts = new Map<string, number>();
    for (const r of records) {
      const v = r[column as keyof typeof r];
      if (typeof v === "string") counts.set(asStored(v), (counts.get(asStored(v)) ?? 0) + 1);
    }
    for (const [value, count] of counts) {
      const reader = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}') WHERE ${column} = $1`, [value]);
      expect([value, reader.getRowObjectsJS()[0]!.n]).toEqual([value, count]);
    }
  });

  it("writes string min/max in unsigned UTF-8 byte order", async () => {
    const stored = records.flatMap((r) => (r.user_id === null ? [] : [asStored(r.user_id)])).sort(byUtf8);
    const rows = await queryRows(db, `SELECT stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema = 'user_id'`);
    expect(rows).toEqual([{ lo: stored[0], hi: stored.at(-1) }]);
    expect(stored.at(-1)).toBe("🚛-drv"); // UTF-16 order would have said "ｚ-drv" or "\uFFFF"
  });
});

describe("double statistics follow the spec's rules for zeros and NaN", () => {
  async function doubleStats(values: ColumnValue[]) {
    const bytes = await writeParquet({ columns: [{ name: "d", kind: "double", required: false }], data: [values] });
    return readMetadata(bytes).row_groups[0]!.columns[0]!.meta_data!.statistics!;
  }

  it("ignores NaN and writes a zero minimum as -0.0 and a zero maximum as +0.0", async () => {
    const mixed = await doubleStats([NaN, 1.5, 0, null, -2]);
    expect([mixed.min_value, mixed.max_value, mixed.null_count]).toEqual([-2, 1.5, 1n]);
    const zeros = await doubleStats([0, 0, NaN]);
    expect(Object.is(zeros.min_value, -0)).toBe(true);
    expect(Object.is(zeros.max_value, 0)).toBe(true);
    const negativeZeros = await doubleStats([-0, -0]);
    expect(Object.is(negativeZeros.max_value, 0)).toBe(true);
  });

  it("writes no bounds when every value is NaN or null", async () => {
    const stats = await doubleStats([NaN, null, NaN]);
    expect(stats.min_value).toBeUndefined();
    expect(stats.max_value).toBeUndefined();
    expect(stats.null_count).toBe(1n);
  });
});
