import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LocationRecord } from "../../src/normalize";
import { compareRecords, encodeLocationParquet, sortRecords } from "../../src/sinks/lake-parquet";
import { openLake } from "../../scripts/lib/lake-duckdb.mjs";
import { queryRows } from "./duckdb";
import { fleetRecords } from "./parquet-edge-records";

// `npm run lake -- query`'s milk_events keeps, of two copies of an id in hours not compacted
// yet, the copy compaction will keep (lake order, then first processed, then first received),
// the order Snowflake's MILK.STAGING.milk_events uses (test/node/snowflake-analytics.test.ts).
const dir = mkdtempSync(join(tmpdir(), "milk-dedupe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The copy compaction keeps: the lowest lake sort key, then the first processed. */
const compactionPick = (copies: LocationRecord[]) =>
  [...copies].sort((a, b) => compareRecords(a, b) || a.process_timestamp - b.process_timestamp || a.received_at - b.received_at)[0]!;

async function writeBatch(name: string, records: LocationRecord[]) {
  const hour = new Date(records[0]!.created_at).toISOString();
  const folder = join(dir, "locations", `dt=${hour.slice(0, 10)}`, `hour=${hour.slice(11, 13)}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name), await encodeLocationParquet(sortRecords(records)));
}

describe("milk_events (DuckDB) keeps the copy compaction keeps", () => {
  it("an id resent with an earlier time, one processed twice, one received twice", async () => {
    const [a, b, c] = fleetRecords(3).map((r) => ({ ...r, created_at: r.created_at + 60_000, created_at_ms: r.created_at_ms + 60_000 }));
    // Copy 2 of a is processed later but carries an earlier event time: compaction keeps it.
    const resent = { ...a!, created_at: a!.created_at - 1_000, created_at_ms: a!.created_at_ms - 1_000, process_timestamp: a!.process_timestamp + 5_000 };
    const reprocessed = { ...b!, process_timestamp: b!.process_timestamp - 5_000, trip_status: "reprocessed" };
    const rereceived = { ...c!, received_at: c!.received_at - 5_000, trip_status: "rereceived" };
    await writeBatch("b1.parquet", [a!, b!, c!]);
    await writeBatch("b2.parquet", [resent, reprocessed, rereceived]);
    const { db, close } = await openLake(dir);
    try {
      const rows = await queryRows(db, "SELECT id, created_at_ms, process_timestamp, received_at, trip_status FROM milk_events ORDER BY id");
      const expected = [[a!, resent], [b!, reprocessed], [c!, rereceived]].map(compactionPick);
      expect(expected).toEqual([resent, reprocessed, rereceived]); // each case picks the second file's copy
      expect(rows.map((r) => [r.id, r.created_at_ms, r.trip_status])).toEqual(
        expected.map((r) => [r.id, r.created_at_ms, r.trip_status]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
      );
    } finally {
      close();
    }
  });
});
