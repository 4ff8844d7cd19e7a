import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consumeBatch } from "../fixtures/consume";
import { GeofenceEvent } from "../../src/contract/geofence-event";
import { chunkEntries, MAX_BYTES_PER_CALL } from "../../src/sinks/kinesis";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";

interface SentCall {
  url: string;
  headers: Headers;
  body: { StreamName: string; Records: Array<{ Data: string; PartitionKey: string }> };
}

/** Intercepts outbound fetch; `respond` decides each PutRecords answer. Unmatched URLs fail loudly. */
function interceptKinesis(respond: (call: SentCall, n: number) => Response | Promise<Response>) {
  const calls: SentCall[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    if (!request.url.startsWith(env.KINESIS_ENDPOINT)) throw new Error(`No mock for ${request.url}`);
    const call = { url: request.url, headers: request.headers, body: await request.json() } as SentCall;
    calls.push(call);
    return respond(call, calls.length);
  });
  return calls;
}

const accepted = (call: SentCall) =>
  Response.json({ FailedRecordCount: 0, Records: call.body.Records.map((_, i) => ({ SequenceNumber: `${i}`, ShardId: "shardId-000000000000" })) });

const geofence = (fields: Record<string, unknown> = {}) =>
  makeMessage({ event: makeEvent({ type: "user.entered_geofence", user: { _id: "driver-1", userId: "drv-1" }, geofence: { _id: "g1", tag: "farm", externalId: "farm-1" }, ...fields }) });

const runForward = (bodies: unknown[], overrides: Partial<Env> = {}) => consumeBatch("milk-forward", bodies, { overrides });

afterEach(() => vi.restoreAllMocks());

describe("Kinesis forwarder request shape", () => {
  it("signs a PutRecords call with base64 JSON data keyed by driver", async () => {
    const calls = interceptKinesis(accepted);
    const message = geofence({ _id: "evt-1", trip: { _id: "t1", metadata: { route_session_id: "rs-1" } } });
    const { ids, result } = await runForward([message]);
    expect(result.explicitAcks).toEqual(ids);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.url).toBe(`${env.KINESIS_ENDPOINT}/`);
    expect(call!.headers.get("x-amz-target")).toBe("Kinesis_20131202.PutRecords");
    expect(call!.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(call!.headers.get("authorization")).toMatch(/^AWS4-HMAC-SHA256 Credential=test-access-key\/\d{8}\/us-east-1\/kinesis\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/);
    expect(call!.body.StreamName).toBe("test-stream");
    const record = call!.body.Records[0]!;
    expect(record.PartitionKey).toBe("driver-1");
    const data = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(record.Data), (c) => c.charCodeAt(0))));
    expect(GeofenceEvent.safeParse(data).success).toBe(true);
    expect(data).toMatchObject({ id: "evt-1", event_type: "user.entered_geofence", user_id: "driver-1", external_user_id: "drv-1", geofence_tag: "farm", trip_id: "t1", route_session_id: "rs-1", created_at: "2024-03-05T15:10:44.902Z" });
  });

  it("falls back to the device id, then the event id, for the partition key", async () => {
    const calls = interceptKinesis(accepted);
    await runForward([geofence({ _id: "e-dev", user: { deviceId: "device-9" } }), geofence({ _id: "e-none", user: undefined })]);
    expect(calls[0]!.body.Records.map((r) => r.PartitionKey)).toEqual(["device-9", "e-none"]);
  });

  it("splits 600 messages into two calls of 500 and 100", async () => {
    const calls = interceptKinesis(accepted);
    const { ids, result } = await runForward(Array.from({ length: 600 }, () => geofence()));
    expect(calls.map((c) => c.body.Records.length)).toEqual([500, 100]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
  });

  it("sends one record for duplicate ids and acks every copy", async () => {
    const calls = interceptKinesis(accepted);
    const message = geofence();
    const { ids, result } = await runForward([message, structuredClone(message)]);
    expect(calls[0]!.body.Records).toHaveLength(1);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
  });
});

describe("chunkEntries", () => {
  const entry = (bytes: number, key = "driver-1") => ({ data: new Uint8Array(bytes), partitionKey: key });

  it("cuts at 5 MiB of data plus partition keys", () => {
    const chunks = chunkEntries(Array.from({ length: 12 }, () => entry(1_000_000)));
    expect(chunks.map((c) => c.length)).toEqual([5, 5, 2]);
    expect(chunkEntries([entry(MAX_BYTES_PER_CALL - 8, "12345678"), entry(1)]).map((c) => c.length)).toEqual([1, 1]);
  });

  it("cuts at 500 records", () => {
    expect(chunkEntries(Array.from({ length: 1001 }, () => entry(10))).map((c) => c.length)).toEqual([500, 500, 1]);
  });

  it("keeps every entry exactly once, in order", () => {
    const entries = Array.from({ length: 777 }, (_, i) => entry((i * 7919) % 50_000));
    expect(chunkEntries(entries).flat()).toEqual(entries.map((_, i) => i));
  });
});

describe("Kinesis forwarder failure mapping", () => {
  it("retries only the entries Kinesis failed and acks the rest", async () => {
    interceptKinesis((call) =>
      Response.json({
        FailedRecordCount: 1,
        Records: call.body.Records.map((_, i) => (i === 1 ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" } : { SequenceNumber: `${i}`, ShardId: "s" })),
      }),
    );
    const { ids, result, delays } = await runForward([geofence(), geofence(), geofence()]);
    expect(result.explicitAcks.sort()).toEqual([ids[0], ids[2]].sort());
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([ids[1]]);
    expect(delays.get(ids[1]!)).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ["a 400 ProvisionedThroughputExceededException", () => Response.json({ __type: "ProvisionedThroughputExceededException" }, { status: 400 })],
    ["a 503", () => new Response("unavailable", { status: 503 })],
    ["a network error", () => Promise.reject(new Error("connection reset"))],
    ["a 200 that lists fewer records", () => Response.json({ FailedRecordCount: 0, Records: [] })],
  ])("retries every message with backoff on %s", async (_, respond) => {
    interceptKinesis(respond);
    const { ids, result, delays } = await runForward([geofence(), geofence()]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((r) => r.msgId).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(delays.get(id)).toBeLessThan(600);
  });

  it.each([
    ["ResourceNotFoundException", 400],
    ["AccessDeniedException", 400],
    ["UnrecognizedClientException", 400],
  ])("treats %s as a configuration error: loud log, long delay", async (type, status) => {
    interceptKinesis(() => Response.json({ __type: type, message: "nope" }, { status }));
    const errors = vi.spyOn(console, "error");
    const { ids, result, delays } = await runForward([geofence()]);
    expect(result.explicitAcks).toEqual([]);
    expect(delays.get(ids[0]!)).toBe(600);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("KINESIS CONFIGURATION ERROR"));
  });

  it("does not call Kinesis when secrets are missing, and retries with a long delay", async () => {
    const calls = interceptKinesis(accepted);
    const { ids, delays, result } = await runForward([geofence()], { AWS_SECRET_ACCESS_KEY: "" });
    expect(calls).toHaveLength(0);
    expect(result.explicitAcks).toEqual([]);
    expect(delays.get(ids[0]!)).toBe(600);
  });

  it("acks poison without calling Kinesis for it", async () => {
    const calls = interceptKinesis(accepted);
    const { ids, result } = await runForward([{ nonsense: true }, geofence()]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    expect(calls[0]!.body.Records).toHaveLength(1);
  });
});
