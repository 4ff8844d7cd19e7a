import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLocationParquetWriter, encodeLocationParquet, LOCATION_PARQUET_COLUMNS, sortRecords, toColumns } from "../../src/sinks/lake-parquet";
import { concatBytes } from "../../src/sinks/parquet/byte-writer";
import { openDuckDb, queryRows } from "./duckdb";
import { fleetRecords } from "./parquet-edge-records";
import { readMetadata } from "./parquet-readers";

const dir = mkdtempSync(join(tmpdir(), "field-ids-"));

async function streamedFile(): Promise<Uint8Array> {
  const writer = createLocationParquetWriter();
  const sorted = sortRecords(fleetRecords(50));
  return concatBytes([writer.start(), await writer.writeRowGroup(toColumns(sorted)), writer.finish()]);
}

describe("every lake Parquet file carries the Iceberg field id of each column", () => {
  it("ids are unique, and the first ever assigned never move (renumbering would remap every old file)", () => {
    const ids = LOCATION_PARQUET_COLUMNS.map((c) => c.fieldId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => Number.isInteger(id) && id! > 0)).toBe(true);
    const byName = Object.fromEntries(LOCATION_PARQUET_COLUMNS.map((c) => [c.name, c.fieldId]));
    expect(byName).toMatchObject({ id: 1, created_at: 2, created_at_ms: 3, user_id: 10, latitude: 14, process_hour: 33 });
  });

  it("ids follow column order (1…n), the ids a catalog assigns afresh at createTable; new columns go last", () => {
    expect(LOCATION_PARQUET_COLUMNS.map((c) => c.fieldId)).toEqual(LOCATION_PARQUET_COLUMNS.map((_, i) => i + 1));
  });

  it.each([
    ["batch file", async () => encodeLocationParquet(sortRecords(fleetRecords(50)))],
    ["streamed (compacted) file", streamedFile],
  ])("%s: hyparquet and DuckDB read field_id per column", async (name, make) => {
    const bytes = await make();
    const want = LOCATION_PARQUET_COLUMNS.map((c) => ({ name: c.name, field_id: c.fieldId }));
    const leaves = readMetadata(bytes).schema.slice(1).map((e) => ({ name: e.name, field_id: e.field_id }));
    expect(leaves).toEqual(want);
    const path = join(dir, `${name.replace(/\W/g, "-")}.parquet`);
    writeFileSync(path, bytes);
    const duck = await openDuckDb();
    const rows = await queryRows(duck, `SELECT name, field_id FROM parquet_schema('${path}') WHERE name <> 'schema'`);
    expect(rows).toEqual(want);
  });
});
