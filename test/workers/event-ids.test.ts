import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { deriveEventId } from "../../src/edge/event-id";
import { LOG_FIELD_MAX_CHARS } from "../../src/log-field";
import worker from "../../src/worker";
import { consumeBatch } from "../fixtures/consume";
import { listKeys, readParquetObject } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { postRaw } from "../fixtures/post-raw";
import { testEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

const withoutId = (fields: Record<string, unknown> = {}) => {
  const { _id, ...event } = makeEvent(fields);
  return event;
};

/** Posts the JSON text of `body`: JSON.stringify writes an unpaired surrogate as a `\udXXX` escape. */
const post = (body: unknown, overrides: Partial<Env> = {}) => postRaw({ body: JSON.stringify(body) }, overrides);

function expectIssue(json: Record<string, any> | null, path: string, message: RegExp) {
  expect(json!.error.code).toBe("validation_failed");
  expect(json!.error.issues).toContainEqual({ path, message: expect.stringMatching(message) });
}

describe("one id, one event: derived and explicit ids never collide", () => {
  it("refuses an explicit _id equal to another event's derived id in the same body (400, reserved prefix)", async () => {
    const b = withoutId({ note: "event b" });
    const stolen = await deriveEventId(b);
    const { status, json, env } = await post({ events: [makeEvent({ _id: stolen }), b] });
    expect(status).toBe(400);
    expectIssue(json, "events.0._id", /reserved for ids derived/);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("refuses a later body whose explicit _id equals an earlier body's derived id", async () => {
    const b = withoutId({ note: "first body" });
    const first = await post({ event: b });
    expect(first.status).toBe(202);
    const second = await post({ event: makeEvent({ _id: first.json!.ids[0], note: "another event" }) });
    expect(second.status).toBe(400);
    expectIssue(second.json, "event._id", /reserved for ids derived/);
    expect(second.env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("refuses any explicit _id in the derived namespace, accepts one that only resembles it", async () => {
    for (const id of ["sha256-" + "0".repeat(32), "sha256-", "sha256-not-hex"]) expect((await post({ event: makeEvent({ _id: id }) })).status).toBe(400);
    expect((await post({ event: makeEvent({ _id: "SHA256-" + "0".repeat(32) }) })).status).toBe(202);
  });

  it("refuses a body with two equal events without _id: they would share one derived id", async () => {
    const event = withoutId();
    const { status, json, env } = await post({ events: [event, makeEvent(), { ...event }] });
    expect(status).toBe(400);
    expectIssue(json, "events.2", /same id as event 0/);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });
});

describe("ids are well-formed Unicode and kept byte for byte", () => {
  it.each([
    ["a lone high surrogate", "\ud800x"],
    ["a lone low surrogate", "\udc00x"],
    ["a trailing high surrogate (a halved emoji)", "evt-\ud83d"],
  ])("refuses an _id holding %s with 400 and enqueues nothing", async (_, id) => {
    const { status, json, env } = await post({ events: [makeEvent({ _id: id })] });
    expect(status).toBe(400);
    expectIssue(json, "events.0._id", /well-formed Unicode/);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("never merges two _ids that differ only in unpaired surrogates", async () => {
    const { status, env } = await post({ events: [makeEvent({ _id: "\ud800x" }), makeEvent({ _id: "\udc00x" })] });
    expect(status).toBe(400);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("accepts an event with broken strings elsewhere, enqueues it well-formed, and derives its id from the well-formed event", async () => {
    const event = withoutId({ type: "user.entered_geofence", geofence: { tag: "farm\ud800", description: "halved \ud83d" }, user: { _id: "drv\udc00" } });
    const { status, json, env } = await post({ event, user: { userId: "\udfff" } }, { FORWARD_EVENT_TYPES: "user.entered_geofence" } as Partial<Env>);
    expect(status).toBe(202);
    const repaired = { ...event, geofence: { tag: "farm\ufffd", description: "halved \ufffd" }, user: { _id: "drv\ufffd" } };
    expect(json!.ids).toEqual([await deriveEventId(repaired as { _id?: string })]);
    for (const queue of [env.INGEST_QUEUE, env.FORWARD_QUEUE]) {
      expect(queue.sent).toHaveLength(1);
      expect(queue.sent[0]).toMatchObject({ id: json!.ids[0], event: repaired, user: { userId: "\ufffd" } });
      expect(JSON.stringify(queue.sent[0])).not.toMatch(/\\ud[89a-f]/i);
    }
  });

  it("repairs object keys too, without letting a __proto__ key become a prototype", async () => {
    const body = `{"event":${JSON.stringify(makeEvent()).slice(0, -1)},"meta\\ud800":1,"extra":{"__proto__":{"polluted":"\\udc00"}}}}`;
    const { status, env } = await postRaw({ body });
    expect(status).toBe(202);
    const event = env.INGEST_QUEUE.sent[0]!.event as Record<string, any>;
    expect(event["meta\ufffd"]).toBe(1);
    expect(Object.getPrototypeOf(event.extra)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(event.extra, "__proto__")?.value).toEqual({ polluted: "\ufffd" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("counts the repaired strings in the webhook metric (double3); a clean accepted body writes no point of its own", async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const run = { ...testEnv(), METRICS: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } as AnalyticsEngineDataset };
    const send = async (body: unknown) =>
      worker.fetch(new Request("https://edge.test/webhooks/radar", { method: "POST", headers: await signedHeaders(), body: JSON.stringify(body) }), run, createExecutionContext());
    expect((await send({ events: [makeEvent({ note: "\ud800", tags: ["\udc00", "ok"] }), makeEvent({ ["k\ud800"]: "v" })] })).status).toBe(202);
    expect((await send({ event: makeEvent() })).status).toBe(202);
    // Accepted events are counted per packed send by the guard shard (its own env), not per request.
    expect(points.map((p) => p.doubles)).toEqual([[2, 202, 3]]);
  });
});

describe("envelopes archived before these rules", () => {
  it("are still written by the lake writer: the id rules bind new webhook bodies, not the queue contract", async () => {
    const reserved = makeMessage({ event: makeEvent({ _id: `sha256-${"c".repeat(32)}`, createdAt: "2024-03-09T10:00:00.000Z" }) });
    const broken = makeMessage({ event: makeEvent({ _id: `old-\ud800`, createdAt: "2024-03-09T10:01:00.000Z" }) });
    const { ids, result } = await consumeBatch("milk-ingest", [reserved, broken]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    expect(await listKeys(env.LAKE_BUCKET, "quarantine/")).toEqual([]);
    const [key] = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-03-09/hour=10/");
    expect((await readParquetObject(env.LAKE_BUCKET, key!)).rows).toHaveLength(2);
  });

  it("caps the quarantine reason in the log line at LOG_FIELD_MAX_CHARS", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((text: unknown) => void warnings.push(String(text)));
    const trip = { createdAt: "0001-01-01T00:00:00Z", updatedAt: "0001-01-01T00:00:00Z", startedAt: "0001-01-01T00:00:00Z" };
    const poison = makeMessage({ event: makeEvent({ actualCreatedAt: "0001-01-01T00:00:00Z", trip, user: { trip } }) });
    await consumeBatch("milk-ingest", [poison]);
    const line = warnings.map((w) => JSON.parse(w) as Record<string, string>).find((l) => l.msg === "message quarantined")!;
    expect(line.reason).toMatch(new RegExp(`^.{${LOG_FIELD_MAX_CHARS}}…\\[\\+\\d+ chars\\]$`, "s"));
    vi.restoreAllMocks();
  });
});
