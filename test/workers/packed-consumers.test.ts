import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { packEnvelopes, readQueueMessage } from "../../src/contract/packed-message";
import { consumeBatch } from "../fixtures/consume";
import { flakyBucket, listKeys, readNdjsonGz, readParquetObject } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { recordingQueue, refusingQueue } from "../fixtures/queues";
import { makeEvent } from "../fixtures/webhook";

const at = (iso: string, fields: Record<string, unknown> = {}) => makeMessage({ event: makeEvent({ createdAt: iso, ...fields }) });
const pack = (...envelopes: unknown[]) => packEnvelopes(envelopes.map((e) => JSON.stringify(e)));

afterEach(() => vi.restoreAllMocks());

describe("lake writer reads packed messages", () => {
  it("writes every envelope of packed and old single-event messages, and acks them all", async () => {
    const envelopes = [at("2024-04-01T10:01:00.000Z"), at("2024-04-01T10:02:00.000Z"), at("2024-04-01T11:03:00.000Z")];
    const single = at("2024-04-01T10:04:00.000Z");
    const { ids, result } = await consumeBatch("milk-ingest", [pack(...envelopes), single]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    const keys = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-04-01/");
    const rows = (await Promise.all(keys.map(async (k) => (await readParquetObject(env.LAKE_BUCKET, k)).rows))).flat();
    expect(rows.map((r) => r.id).sort()).toEqual([...envelopes, single].map((e) => e.id).sort());
    // The raw archive keeps each envelope in the v1 shape, not the pack around it.
    const raw = (await Promise.all((await listKeys(env.LAKE_BUCKET, "raw/dt=2024-04-01/")).map((k) => readNdjsonGz(env.LAKE_BUCKET, k)))).flat();
    expect(raw).toEqual(expect.arrayContaining([...envelopes, single]));
  });

  it("retries a packed message when one of its hours fails, acks a message wholly in the hour that was written", async () => {
    const bucket = flakyBucket(env.LAKE_BUCKET, (key) => key.includes("dt=2024-04-02/hour=13"));
    const spanning = pack(at("2024-04-02T12:00:00.000Z"), at("2024-04-02T13:00:00.000Z"));
    const inTwelve = pack(at("2024-04-02T12:30:00.000Z"));
    const { ids, result } = await consumeBatch("milk-ingest", [spanning, inTwelve], { overrides: { LAKE_BUCKET: bucket } });
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([ids[0]]);
    expect(result.explicitAcks).toEqual([ids[1]]);
    // The retry writes the hour-12 envelope again: a duplicate by id, which compaction removes.
    const again = await consumeBatch("milk-ingest", [spanning]);
    expect(again.result.explicitAcks).toEqual(again.ids);
    const rows = await Promise.all((await listKeys(env.LAKE_BUCKET, "locations/dt=2024-04-02/")).map(async (k) => (await readParquetObject(env.LAKE_BUCKET, k)).rows.length));
    expect(rows.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it("quarantines a bad envelope of a pack alone and writes its neighbours", async () => {
    const good = at("2024-04-03T09:00:00.000Z");
    const { ids, result } = await consumeBatch("milk-ingest", [pack(good, { v: 1, id: "broken" })]);
    expect(result.explicitAcks).toEqual(ids);
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-04-03/")).toHaveLength(1);
    expect((await listKeys(env.LAKE_BUCKET, "quarantine/")).length).toBeGreaterThan(0);
  });
});

interface PutRecordsBody {
  Records: Array<{ Data: string; PartitionKey: string }>;
}

const geofence = (id: string) => makeMessage({ event: makeEvent({ _id: id, type: "user.entered_geofence", user: { _id: `driver-${id}` } }) });
const idOf = (record: { Data: string }) => JSON.parse(atob(record.Data)).id as string;

/** Kinesis answering 200 with the records whose id is in `refuse` failed, as PutRecords does. */
function kinesisRefusing(refuse: Set<string>) {
  const seen: string[][] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    if (!request.url.startsWith(env.KINESIS_ENDPOINT)) throw new Error(`No mock for ${request.url}`);
    const body = (await request.json()) as PutRecordsBody;
    seen.push(body.Records.map(idOf));
    const records = body.Records.map((r) => (refuse.has(idOf(r)) ? { ErrorCode: "ProvisionedThroughputExceededException" } : { SequenceNumber: "1", ShardId: "s" }));
    return Response.json({ FailedRecordCount: records.filter((r) => "ErrorCode" in r).length, Records: records });
  });
  return seen;
}

describe("Kinesis forwarder reads packed messages", () => {
  it("acks a pack once every record was accepted", async () => {
    const seen = kinesisRefusing(new Set());
    const { ids, result } = await consumeBatch("milk-forward", [pack(geofence("k1"), geofence("k2")), geofence("k3")]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    expect(seen).toEqual([["k1", "k2", "k3"]]);
  });

  it("re-enqueues only the refused records of a pack, then acks it; the remainder resends only those", async () => {
    const seen = kinesisRefusing(new Set(["k5"]));
    const forward = recordingQueue();
    const { ids, result, delays } = await consumeBatch("milk-forward", [pack(geofence("k4"), geofence("k5"), geofence("k6"))], { overrides: { FORWARD_QUEUE: forward } });
    expect(result.explicitAcks).toEqual(ids);
    expect(delays.size).toBe(0);
    expect(forward.messages).toHaveLength(1);
    const remainder = readQueueMessage(forward.messages[0]);
    expect(remainder.envelopes.map((e) => e.id)).toEqual(["k5"]);
    expect(remainder.resent).toBe(1);
    vi.restoreAllMocks();
    const later = kinesisRefusing(new Set());
    const again = await consumeBatch("milk-forward", [forward.messages[0]]);
    expect(again.result.explicitAcks).toEqual(again.ids);
    expect([...seen, ...later]).toEqual([["k4", "k5", "k6"], ["k5"]]);
  });

  it("retries the pack when the remainder cannot be enqueued, and when every record failed", async () => {
    kinesisRefusing(new Set(["k8", "k9", "k10"]));
    const { ids, result } = await consumeBatch("milk-forward", [pack(geofence("k7"), geofence("k8")), pack(geofence("k9"), geofence("k10"))], { overrides: { FORWARD_QUEUE: refusingQueue() } });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((r) => r.msgId).sort()).toEqual([...ids].sort());
  });
});
