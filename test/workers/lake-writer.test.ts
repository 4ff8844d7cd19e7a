import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parquetHeader } from "hyparquet/src/column.js";
import { consumeBatch } from "../fixtures/consume";
import { makeMessage } from "../fixtures/messages";
import { flakyBucket, listKeys, readNdjsonGz, readParquetObject } from "../fixtures/lake";
import { makeEvent } from "../fixtures/webhook";

const runLake = (bodies: unknown[], overrides: Partial<Env> = {}, attempts = 1) => consumeBatch("milk-ingest", bodies, { overrides, attempts });

const at = (iso: string, fields: Record<string, unknown> = {}) => makeMessage({ event: makeEvent({ createdAt: iso, ...fields }) });

describe("lake writer", () => {
  // Storage is isolated per test file, so each test writes to its own day.
  it("writes one Parquet object and one raw archive per UTC hour, under hive keys", async () => {
    const bodies = [
      at("2024-03-05T14:59:59.999Z", { user: { _id: "driver-b" } }),
      at("2024-03-05T15:00:00.000Z", { user: { _id: "driver-b" } }),
      at("2024-03-05T15:30:00.000Z", { user: { _id: "driver-a" } }),
      at("2024-03-05T14:10:00.000Z", { user: { _id: "driver-a" } }),
    ];
    const { messages, result } = await runLake(bodies);
    expect(result.explicitAcks.sort()).toEqual(messages.map((m) => m.id).sort());
    expect(result.retryMessages).toEqual([]);

    const parquet = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-03-05/");
    expect(parquet).toHaveLength(2);
    expect(parquet[0]).toMatch(/^locations\/dt=2024-03-05\/hour=14\/[0-9TZ]+-[0-9a-f-]{36}\.parquet$/);
    expect(parquet[1]).toMatch(/^locations\/dt=2024-03-05\/hour=15\//);
    const raw = await listKeys(env.LAKE_BUCKET, "raw/dt=2024-03-05/");
    expect(raw.map((k) => k.replace(/\/[^/]+$/, ""))).toEqual(["raw/dt=2024-03-05/hour=14", "raw/dt=2024-03-05/hour=15"]);

    const { rows, object } = await readParquetObject(env.LAKE_BUCKET, parquet[0]!);
    expect(rows.map((r) => [r.user_id, (r.created_at as Date).toISOString()])).toEqual([
      ["driver-a", "2024-03-05T14:10:00.000Z"],
      ["driver-b", "2024-03-05T14:59:59.999Z"],
    ]);
    expect(object.customMetadata).toEqual({
      rows: "2", min_created_at: "2024-03-05T14:10:00.000Z", max_created_at: "2024-03-05T14:59:59.999Z", schema_version: "1",
    });
    const archived = await readNdjsonGz(env.LAKE_BUCKET, raw[0]!);
    expect(archived).toEqual(expect.arrayContaining([bodies[0], bodies[3]]));
    expect(archived).toHaveLength(2);
  });

  it("round-trips every column with its type", async () => {
    const message = at("2024-03-06T15:10:44.902Z", {
      _id: "65e7266d8c1f3b0021d4ab02", live: true, replayed: false, locationAccuracy: 18.5, confidence: 2,
      actualCreatedAt: "2024-03-05T15:10:45.310Z",
      user: { _id: "u1", userId: "drv-1", deviceId: "dev-1", MMUserId: "mm-1" },
      trip: { _id: "t1", externalId: "x1", status: "started", createdAt: "2024-03-05T14:55:12.004Z", metadata: { route_session_id: "rs-1" } },
      geofence: { _id: "g1", externalId: "farm-1", tag: "farm", description: "Dairy 1" },
    });
    await runLake([message]);
    const [key] = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-03-06/");
    const { rows, metadata } = await readParquetObject(env.LAKE_BUCKET, key!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: "65e7266d8c1f3b0021d4ab02", created_at: new Date("2024-03-06T15:10:44.902Z"), created_at_ms: 1709737844902n,
      actual_created_at: new Date("2024-03-05T15:10:45.310Z"), received_at: new Date("2024-03-05T15:10:45.000Z"),
      event_type: "user.updated_trip", live: true, replayed: false, source: "radar",
      user_id: "u1", external_user_id: "drv-1", device_id: "dev-1", mm_user_id: "mm-1",
      latitude: 36.0652, longitude: -119.2871, accuracy_m: 18.5, confidence: 2,
      trip_id: "t1", trip_external_id: "x1", trip_status: "started", trip_created_at: new Date("2024-03-05T14:55:12.004Z"),
      trip_updated_at: null, route_session_id: "rs-1", route_session_type: null, trip_metadata_json: '{"route_session_id":"rs-1"}',
      geofence_id: "g1", geofence_external_id: "farm-1", geofence_tag: "farm", geofence_description: "Dairy 1",
    });
    const byName = Object.fromEntries(metadata.schema.slice(1).map((s) => [s.name, s]));
    expect(byName.created_at).toMatchObject({ type: "INT64", repetition_type: "REQUIRED", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" } });
    expect(byName.user_id).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" });
    expect(byName.latitude).toMatchObject({ type: "DOUBLE" });
    expect(byName.live).toMatchObject({ type: "BOOLEAN" });
    const chunk = metadata.row_groups[0]!.columns[0]!.meta_data!;
    expect(["GZIP", "UNCOMPRESSED"]).toContain(chunk.codec); // one-row chunks are too small to gain from gzip
    expect(chunk.statistics?.null_count).toBe(0n);
    const file = await (await env.LAKE_BUCKET.get(key!))!.arrayBuffer();
    for (const column of metadata.row_groups[0]!.columns) {
      const reader = { view: new DataView(file), offset: Number(column.meta_data!.data_page_offset) };
      expect(parquetHeader(reader).type).toBe("DATA_PAGE"); // v1, never DATA_PAGE_V2
    }
  });

  it("keeps one row for duplicate ids in a batch and acks every copy", async () => {
    const message = at("2024-03-07T15:10:44.902Z");
    const { messages, result } = await runLake([message, structuredClone(message), structuredClone(message)]);
    expect(result.explicitAcks.sort()).toEqual(messages.map((m) => m.id).sort());
    const [key] = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-03-07/");
    expect((await readParquetObject(env.LAKE_BUCKET, key!)).rows).toHaveLength(1);
  });

  it("quarantines poison and acks it, without failing the rest of the batch", async () => {
    const good = at("2024-03-08T15:10:44.902Z");
    const { messages, result } = await runLake([{ v: 99, junk: true }, good, "not even an object"]);
    expect(result.explicitAcks.sort()).toEqual(messages.map((m) => m.id).sort());
    expect(result.retryMessages).toEqual([]);
    const quarantined = await listKeys(env.LAKE_BUCKET, "quarantine/");
    expect(quarantined).toHaveLength(2);
    const kept = await (await env.LAKE_BUCKET.get(quarantined[0]!))!.json<{ body: unknown; reason: string }>();
    expect([{ v: 99, junk: true }, "not even an object"]).toContainEqual(kept.body);
    expect(kept.reason).toEqual(expect.any(String));
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-03-08/")).toHaveLength(1);
  });

  it("retries with a backoff delay, acking none, when R2 fails", async () => {
    const bucket = flakyBucket(env.LAKE_BUCKET, () => true);
    const { messages, result, delays } = await runLake([at("2024-03-05T15:10:44.902Z"), at("2024-03-05T16:10:44.902Z")], { LAKE_BUCKET: bucket }, 3);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((r) => r.msgId).sort()).toEqual(messages.map((m) => m.id).sort());
    // Third attempt: 5 s * 2^2 = 20 s, jittered into [10, 20].
    for (const m of messages) expect(delays.get(m.id)).toBeGreaterThanOrEqual(10);
    for (const m of messages) expect(delays.get(m.id)).toBeLessThanOrEqual(20);
  });

  it("retries only the hour whose write failed and acks the other", async () => {
    const bucket = flakyBucket(env.LAKE_BUCKET, (key) => key.includes("hour=16"));
    const { messages, result } = await runLake([at("2024-03-05T15:10:44.902Z"), at("2024-03-05T16:10:44.902Z")], { LAKE_BUCKET: bucket });
    expect(result.explicitAcks).toEqual([messages[0]!.id]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([messages[1]!.id]);
  });

  it("does not ack when only the raw archive write fails", async () => {
    const bucket = flakyBucket(env.LAKE_BUCKET, (key) => key.startsWith("raw/"));
    const { result } = await runLake([at("2024-03-05T15:10:44.902Z")], { LAKE_BUCKET: bucket });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
  });
});
