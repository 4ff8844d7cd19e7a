import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { IngestMessage } from "../../src/contract/ingest-message";
import { normalizeEvent, type LocationRecord } from "../../src/normalize";
import { encodeLocationParquet, sortRecords } from "../../src/sinks/lake-parquet";
import { hourPartition } from "../../src/lake/keys";
import { openDuckDb, queryRows } from "./duckdb";

const EXAMPLES = join(__dirname, "../fixtures/radar-examples");
const PROCESSED = Date.parse("2024-03-05T16:42:10.123Z");

function loadRecords(): LocationRecord[] {
  return readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).flatMap((file) => {
    const body = JSON.parse(readFileSync(join(EXAMPLES, file), "utf8"));
    const events: Record<string, unknown>[] = body.events ?? [body.event];
    return events.map((event, i) => {
      const message = { v: 1, id: (event._id as string) ?? `${file}#${i}`, receivedAt: "2024-03-05T16:40:00.000Z", requestId: "r", source: "radar", event, user: body.user } as IngestMessage;
      return normalizeEvent(message, PROCESSED);
    });
  });
}

describe("our Parquet read back by DuckDB", () => {
  let db: DuckDBConnection;
  let lake: string;
  let records: LocationRecord[];

  beforeAll(async () => {
    db = await openDuckDb();
    lake = mkdtempSync(join(tmpdir(), "lake-"));
    records = loadRecords();
    const groups = new Map<string, LocationRecord[]>();
    for (const r of records) groups.set(hourPartition(r.created_at), [...(groups.get(hourPartition(r.created_at)) ?? []), r]);
    for (const [partition, rows] of groups) {
      mkdirSync(join(lake, "locations", partition), { recursive: true });
      writeFileSync(join(lake, "locations", partition, "part-0.parquet"), await encodeLocationParquet(sortRecords(rows)));
    }
  });

  afterAll(() => db?.closeSync());

  const scan = () => `read_parquet('${lake}/locations/**/*.parquet', hive_partitioning = true, hive_types = {'dt': DATE, 'hour': INTEGER})`;

  it("exposes the documented column types", async () => {
    const columns = await queryRows(db, `DESCRIBE SELECT * FROM ${scan()}`);
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]));
    expect(types).toMatchObject({
      id: "VARCHAR", created_at: "TIMESTAMP WITH TIME ZONE", created_at_ms: "BIGINT", received_at: "TIMESTAMP WITH TIME ZONE",
      live: "BOOLEAN", replayed: "BOOLEAN", latitude: "DOUBLE", longitude: "DOUBLE", accuracy_m: "DOUBLE",
      confidence: "INTEGER", trip_metadata_json: "VARCHAR", process_hour: "TIMESTAMP WITH TIME ZONE",
      dt: "DATE", hour: "INTEGER",
    });
  });

  it("reads every row back with the values we wrote", async () => {
    const rows = await queryRows(db, `SELECT id, epoch_ms(created_at) AS ms, created_at_ms, latitude, longitude, live, user_id, trip_id, geofence_tag FROM ${scan()} ORDER BY id`);
    const expected = [...records].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      const want = expected[i]!;
      expect(row).toEqual({
        id: want.id, ms: want.created_at, created_at_ms: want.created_at_ms, latitude: want.latitude, longitude: want.longitude,
        live: want.live, user_id: want.user_id, trip_id: want.trip_id, geofence_tag: want.geofence_tag,
      });
    });
  });

  it("puts every row in the partition of its created_at hour (UTC)", async () => {
    const misplaced = await queryRows(db, `SELECT count(*) AS n FROM ${scan()} WHERE dt <> CAST(created_at AS DATE) OR hour <> hour(created_at)`);
    expect(misplaced[0]!.n).toBe(0);
  });

  it("writes GZIP column chunks (UNCOMPRESSED only when tiny) with min/max statistics", async () => {
    const meta = await queryRows(db, `SELECT path_in_schema, compression, total_uncompressed_size AS size, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${lake}/locations/**/*.parquet')`);
    for (const m of meta) expect([m.path_in_schema, m.compression]).toEqual([m.path_in_schema, (m.size as number) > 1024 ? "GZIP" : expect.stringMatching(/^(GZIP|UNCOMPRESSED)$/)]);
    const created = meta.filter((m) => m.path_in_schema === "created_at");
    expect(created.length).toBeGreaterThan(0);
    for (const m of created) expect(m.stats_min_value).toMatch(/^2024-03-05/);
  });
});

describe("encodings round-trip through DuckDB", () => {
  it("reads back delta-packed integers with large, negative and irregular steps", async () => {
    const { writeParquet } = await import("../../src/sinks/parquet/write-parquet");
    const values = [0, 1, -1, 2 ** 40, -(2 ** 40), 1_709_651_444_902, 1_709_651_444_903, 1_709_650_000_000, 2 ** 52, -(2 ** 52), 7, 7, 7];
    for (let i = 0; i < 500; i++) values.push(1_700_000_000_000 + ((i * 7919) % 100_003) * 1000 - (i % 3) * 3_600_000);
    const strings = values.map((v, i) => (i % 5 === 0 ? null : `6b04fd${(i % 7).toString(16)}abd83441aab${String(v).slice(-6)}`));
    const doubles = values.map((v, i) => (i % 4 === 0 ? null : v / 3));
    const file = join(mkdtempSync(join(tmpdir(), "enc-")), "edge.parquet");
    writeFileSync(file, await writeParquet({
      columns: [
        { name: "n", kind: "int64", required: true },
        { name: "t", kind: "timestamp_ms", required: false },
        { name: "s", kind: "string", required: false },
        { name: "d", kind: "double", required: false },
      ],
      data: [values, values.map((v, i) => (i % 9 === 0 ? null : Math.abs(v) % 4_102_444_800_000)), strings, doubles],
    }));
    const db = await openDuckDb();
    const rows = await queryRows(db, `SELECT n, epoch_ms(t) AS t, s, d FROM read_parquet('${file}')`);
    db.closeSync();
    expect(rows.map((r) => r.n)).toEqual(values);
    expect(rows.map((r) => r.t)).toEqual(values.map((v, i) => (i % 9 === 0 ? null : Math.abs(v) % 4_102_444_800_000)));
    expect(rows.map((r) => r.s)).toEqual(strings);
    expect(rows.map((r) => r.d)).toEqual(doubles);
  });
});
