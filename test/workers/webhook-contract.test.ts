import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { MAX_BODY_BYTES } from "../../src/edge/read-json-body";
import { IngestMessage } from "../../src/contract/ingest-message";
import { RADAR_EXAMPLES, example } from "../fixtures/radar-examples";
import { refusingQueue, testEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

async function send(init: { body?: BodyInit | null; headers?: Record<string, string>; method?: string; path?: string }, overrides: Partial<Env> = {}) {
  const env = testEnv(overrides);
  const headers = { ...(await signedHeaders()), ...init.headers };
  const request = new Request(`https://edge.test${init.path ?? "/webhooks/radar"}`, { method: init.method ?? "POST", headers, body: init.body ?? null });
  const response = await worker.fetch(request, env, createExecutionContext());
  return { response, env, json: (await response.clone().json()) as Record<string, any> };
}

const sendJson = (body: unknown, overrides: Partial<Env> = {}) => send({ body: JSON.stringify(body) }, overrides);

/**
 * A body of exactly `size` bytes: ten events padded with an unknown string field, so each
 * event still fits one queue message (128 KB) while the body reaches the 1 MiB cap.
 */
function bodyOfSize(size: number): string {
  const events = Array.from({ length: 10 }, (_, i) => makeEvent({ _id: `pad-${i}`, pad: "" }));
  const skeleton = JSON.stringify({ events });
  const total = size - skeleton.length;
  const each = Math.floor(total / 10);
  let body = skeleton;
  for (let i = 0; i < 10; i++) {
    const pad = i === 9 ? total - each * 9 : each;
    body = body.replace(/"pad":""/, `"pad":"${"x".repeat(pad)}"`);
  }
  return body;
}

function chunkedStream(text: string, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, (offset += chunk)));
    },
  });
}

function expectEnvelope(json: Record<string, any>, code: string) {
  expect(json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

describe("accepted bodies", () => {
  it.each(Object.keys(RADAR_EXAMPLES))("accepts %s with 202", async (name) => {
    const body = example(name);
    const { response, json, env } = await sendJson(body);
    const count = Array.isArray(body.events) ? body.events.length : 1;
    expect(response.status).toBe(202);
    expect(json).toEqual({ accepted: count, ids: expect.any(Array) });
    expect(env.INGEST_QUEUE.sent).toHaveLength(count);
  });

  it("enqueues one versioned envelope per event with the event verbatim", async () => {
    const body = example("12-batch-replayed-test-env.json") as { events: unknown[]; user: unknown };
    const { json, env } = await sendJson(body);
    expect(env.INGEST_QUEUE.sent.map((m) => m.id)).toEqual(json.ids);
    env.INGEST_QUEUE.sent.forEach((message, i) => {
      expect(IngestMessage.safeParse(message).success).toBe(true);
      expect(message).toMatchObject({ v: 1, source: "radar", requestId: expect.any(String), receivedAt: expect.any(String) });
      expect(message.event).toStrictEqual(body.events[i]);
      expect(message.user).toStrictEqual(body.user);
    });
  });

  it("keeps unknown fields and unknown event types", async () => {
    const event = makeEvent({ type: "user.did_something_new", brandNew: { nested: [1, 2] } });
    const { response, env } = await sendJson({ event });
    expect(response.status).toBe(202);
    expect(env.INGEST_QUEUE.sent[0]!.event).toStrictEqual(event);
  });

  it("accepts events without a location", async () => {
    const { location: _, ...event } = makeEvent();
    expect((await sendJson({ event })).response.status).toBe(202);
  });

  it("derives the same id for the same event without _id, whatever the key order", async () => {
    const { _id: _, ...event } = makeEvent();
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const first = await sendJson({ event });
    const second = await sendJson({ event: reordered });
    const other = await sendJson({ event: { ...event, createdAt: "2024-03-05T15:10:45.000Z" } });
    expect(first.json.ids[0]).toMatch(/^sha256-[0-9a-f]{32}$/);
    expect(second.json.ids).toEqual(first.json.ids);
    expect(other.json.ids).not.toEqual(first.json.ids);
  });

  it("uses event._id as the id", async () => {
    const { json } = await sendJson({ event: makeEvent({ _id: "65e7266d8c1f3b0021d4ab02" }) });
    expect(json.ids).toEqual(["65e7266d8c1f3b0021d4ab02"]);
  });

  it("forwards only the configured geofence types", async () => {
    const events = [makeEvent({ type: "user.entered_geofence" }), makeEvent(), makeEvent({ type: "user.exited_geofence" })];
    const { env } = await sendJson({ events });
    expect(env.INGEST_QUEUE.sent).toHaveLength(3);
    expect(env.FORWARD_QUEUE.sent.map((m) => m.event.type)).toEqual(["user.entered_geofence", "user.exited_geofence"]);
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const { response } = await send({ body: bodyOfSize(MAX_BODY_BYTES) });
    expect(response.status).toBe(202);
  });

  it("accepts application/json with a charset parameter", async () => {
    const { response } = await send({ body: JSON.stringify({ event: makeEvent() }), headers: { "content-type": "application/json; charset=utf-8" } });
    expect(response.status).toBe(202);
  });
});

describe("refusals", () => {
  it.each([
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["application/jsonx", 415],
  ])("refuses Content-Type %s with %i", async (type, status) => {
    const { response, json, env } = await send({ body: JSON.stringify({ event: makeEvent() }), headers: { "content-type": type } });
    expect(response.status).toBe(status);
    expectEnvelope(json, "unsupported_media_type");
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("refuses a body one byte over 1 MiB with 413", async () => {
    const body = bodyOfSize(MAX_BODY_BYTES + 1);
    expect(new TextEncoder().encode(body).byteLength).toBe(MAX_BODY_BYTES + 1);
    const { response, json } = await send({ body });
    expect(response.status).toBe(413);
    expectEnvelope(json, "payload_too_large");
  });

  it("refuses an oversize chunked body without Content-Length while reading", async () => {
    const { response, json } = await send({ body: chunkedStream(bodyOfSize(MAX_BODY_BYTES * 2)) });
    expect(response.status).toBe(413);
    expectEnvelope(json, "payload_too_large");
  });

  it("accepts a chunked body under the limit", async () => {
    const { response } = await send({ body: chunkedStream(JSON.stringify({ event: makeEvent() }), 7) });
    expect(response.status).toBe(202);
  });

  it.each([
    ["invalid JSON", "{\"event\": {"],
    ["an empty body", ""],
    ["nesting deeper than 64 levels", `{"event":${"[".repeat(70)}${"]".repeat(70)}}`],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
  ])("refuses %s with 400 invalid_json", async (_, body) => {
    const { response, json } = await send({ body });
    expect(response.status).toBe(400);
    expectEnvelope(json, "invalid_json");
  });

  it("lists each schema issue with its path", async () => {
    const events = [makeEvent(), makeEvent({ createdAt: "yesterday", location: { type: "Point", coordinates: [200, 36] } })];
    const { response, json, env } = await sendJson({ events });
    expect(response.status).toBe(400);
    expectEnvelope(json, "validation_failed");
    const paths = json.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["events.1.createdAt", "events.1.location.coordinates.0"]));
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it.each([
    ["neither event nor events", { user: {} }],
    ["both event and events", { event: makeEvent(), events: [makeEvent()] }],
    ["an empty events array", { events: [] }],
    ["101 events", { events: Array.from({ length: 101 }, () => makeEvent()) }],
    ["a missing type", { event: { createdAt: "2024-03-05T15:10:44.902Z" } }],
    ["a date without time", { event: makeEvent({ createdAt: "2024-03-05" }) }],
    ["a latitude out of range", { event: makeEvent({ location: { type: "Point", coordinates: [-119, 91] } }) }],
    ["a string coordinate", { event: makeEvent({ location: { type: "Point", coordinates: ["-119", 36] } }) }],
    ["a JSON array body", [makeEvent()]],
    ["a non-object user", { event: makeEvent(), user: "drv-1" }],
  ])("refuses %s with 400 validation_failed", async (_, body) => {
    const { response, json, env } = await sendJson(body);
    expect(response.status).toBe(400);
    expectEnvelope(json, "validation_failed");
    expect(json.error.issues.length).toBeGreaterThan(0);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it.each(["GET", "PUT", "DELETE", "PATCH"])("refuses %s with 405 and Allow: POST", async (method) => {
    const { response, json } = await send({ method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expectEnvelope(json, "method_not_allowed");
  });

  it("answers unknown routes with a 404 envelope", async () => {
    const { response, json } = await send({ method: "GET", path: "/nope" });
    expect(response.status).toBe(404);
    expectEnvelope(json, "not_found");
  });
});

describe("durability", () => {
  it("answers 503 with Retry-After when the queue refuses the send", async () => {
    const { response, json } = await sendJson({ event: makeEvent() }, { INGEST_QUEUE: refusingQueue() });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expectEnvelope(json, "queue_unavailable");
  });

  it("answers 503 when the forward queue refuses a geofence event", async () => {
    const { response } = await sendJson({ event: makeEvent({ type: "user.entered_geofence" }) }, { FORWARD_QUEUE: refusingQueue() });
    expect(response.status).toBe(503);
  });

  it("splits large multi-event bodies into sendBatch calls within the 256 KB limit", async () => {
    const events = Array.from({ length: 100 }, () => makeEvent({ note: "n".repeat(5000) }));
    const { response, env } = await sendJson({ events });
    expect(response.status).toBe(202);
    expect(env.INGEST_QUEUE.sent).toHaveLength(100);
  });

  it("refuses with 413 an event too large for one queue message", async () => {
    const { response, json, env } = await sendJson({ event: makeEvent({ note: "n".repeat(200_000) }) });
    expect(response.status).toBe(413);
    expectEnvelope(json, "payload_too_large");
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });
});

describe("GET /healthz", () => {
  it("answers 200 JSON", async () => {
    const { response, json } = await send({ method: "GET", path: "/healthz" });
    expect(response.status).toBe(200);
    expect(json).toEqual({ status: "ok" });
  });
});
