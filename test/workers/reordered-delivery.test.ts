import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compareRecords } from "../../src/sinks/lake-parquet";
import type { LocationRecord } from "../../src/normalize";
import { exactness, runCron } from "../fixtures/compaction";
import { listKeys, readParquetObject } from "../fixtures/lake";
import { deliverReordered } from "../fixtures/limits/delivery";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";

/** Three drivers, each with a sequence of events a minute apart, in the order Radar sent them. */
const sequence = (hour: string, type = "user.updated") =>
  Array.from({ length: 36 }, (_, i) =>
    makeMessage({ event: makeEvent({ type, createdAt: `${hour}:${String(i).padStart(2, "0")}:00.000Z`, user: { _id: `driver-${i % 3}`, userId: `drv-${i % 3}` }, geofence: { _id: "g1", tag: "farm", externalId: "farm-1" } }) }),
  );

afterEach(() => vi.restoreAllMocks());

describe("delivery out of order and with duplicates (what Queues may do; the local queue is FIFO)", () => {
  for (const seed of [1, 2, 3]) {
    it(`lake writer + compaction: each id once, rows in the lake order whatever the delivery order (seed ${seed})`, async () => {
      const day = `2024-10-0${seed}`;
      const messages = sequence(`${day}T09`);
      const { delivered, results } = await deliverReordered("milk-ingest", messages, { seed });
      expect(delivered.length).toBeGreaterThan(messages.length); // duplicates were delivered
      expect(results.every((r) => r.result.retryMessages.length === 0)).toBe(true);
      await runCron(Date.parse(`${day}T10:15:00.000Z`));
      const partition = `dt=${day}/hour=09`;
      expect(await exactness(partition, messages.map((m) => m.id))).toEqual({ duplicated: [], missing: [], total: messages.length });
      const [key, ...rest] = await listKeys(env.LAKE_BUCKET, `locations/${partition}/`);
      expect(rest).toEqual([]);
      const rows = (await readParquetObject(env.LAKE_BUCKET, key!)).rows.map((r) => ({ ...r, created_at: Number(r.created_at as Date) }) as unknown as LocationRecord);
      for (let i = 1; i < rows.length; i++) expect(compareRecords(rows[i - 1]!, rows[i]!)).toBeLessThan(0);
    });
  }

  it("Kinesis forwarder: every event forwarded, and ordering by created_at per partition key gives back each driver's sequence", async () => {
    const records: Array<{ PartitionKey: string; data: { id: string; created_at: string } }> = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input as RequestInfo, init as RequestInit);
      if (!request.url.startsWith(env.KINESIS_ENDPOINT)) throw new Error(`No mock for ${request.url}`);
      const body = await request.json<{ Records: Array<{ Data: string; PartitionKey: string }> }>();
      for (const r of body.Records) records.push({ PartitionKey: r.PartitionKey, data: JSON.parse(atob(r.Data)) });
      return Response.json({ FailedRecordCount: 0, Records: body.Records.map((_, i) => ({ SequenceNumber: `${i}`, ShardId: "shardId-000000000000" })) });
    });
    const messages = sequence("2024-10-09T09", "user.entered_geofence");
    const { delivered, results } = await deliverReordered("milk-forward", messages, { seed: 7 });
    expect(results.every((r) => r.result.retryMessages.length === 0)).toBe(true);
    // At least once: a duplicate in another batch is forwarded again (one batch's duplicates are dropped).
    expect(records.length).toBeGreaterThan(messages.length);
    expect(records.length).toBeLessThanOrEqual(delivered.length);
    expect(new Set(records.map((r) => r.data.id))).toEqual(new Set(messages.map((m) => m.id)));
    const arrival = records.map((r) => r.data.id);
    expect(arrival).not.toEqual(messages.map((m) => m.id)); // the order did change
    for (const driver of ["driver-0", "driver-1", "driver-2"]) {
      const sent = messages.filter((_, i) => `driver-${i % 3}` === driver).map((m) => m.id);
      const seen = new Map(records.filter((r) => r.PartitionKey === driver).map((r) => [r.data.id, r.data.created_at]));
      expect([...seen].sort((a, b) => a[1].localeCompare(b[1])).map(([id]) => id)).toEqual(sent);
    }
  });
});
