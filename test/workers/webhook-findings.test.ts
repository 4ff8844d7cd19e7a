import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import { parseTokenList } from "../../src/edge/signature";
import { MinuteIndex, WINDOW_MINUTES, findInPacked, packEntries } from "../../src/guard/guard-index";
import { partitionKeyOf, truncateWellFormed } from "../../src/normalize/geofence-event";
import type { LocationRecord } from "../../src/normalize/location-record";
import { testEnv } from "../fixtures/queues";
import { DEV_TOKEN, SECOND_TOKEN, hmacSha1, makeEvent, signedHeaders, toHex } from "../fixtures/webhook";

afterEach(() => vi.restoreAllMocks());

async function send(headers: Record<string, string>, body: BodyInit | null, overrides: Partial<Env> = {}, path = "/webhooks/radar", method = "POST") {
  const run = testEnv(overrides);
  const response = await worker.fetch(new Request(`https://edge.test${path}`, { method, headers, body, duplex: "half" } as RequestInit), run, createExecutionContext());
  return { status: response.status, json: (await response.json()) as Record<string, any>, run };
}

/** A body that records whether the Worker ever pulled from it. */
function watchedBody() {
  const watch = { pulled: false };
  const body = new ReadableStream({ pull(c) { watch.pulled = true; c.enqueue(new TextEncoder().encode(JSON.stringify({ event: makeEvent() }))); c.close(); } }, { highWaterMark: 0 });
  return { watch, body };
}

describe("client abort mid-body", () => {
  // Without a length the body is read chunk by chunk under the cap; with one, in a single read.
  it.each([
    ["without Content-Length (streamed)", {}],
    ["with a declared Content-Length (one read)", { "Content-Length": "2000" }],
  ])("answers 400 body_incomplete and logs no error, %s", async (_, length) => {
    const errors = vi.spyOn(console, "error");
    const body = new ReadableStream({
      pull(c) {
        c.enqueue(new TextEncoder().encode('{"event":{"type":"user.updated_trip",'));
        c.error(new Error("client disconnected"));
      },
    });
    const { status, json, run } = await send({ ...(await signedHeaders()), ...length }, body);
    expect(status).toBe(400);
    expect(json.error.code).toBe("body_incomplete");
    expect(run.INGEST_QUEUE.sent).toHaveLength(0);
    expect(errors).not.toHaveBeenCalled();
  });
});

describe("request logs", () => {
  it("carry neither the signature, the signing id, a token nor the body, for accepted and refused requests", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    const headers = await signedHeaders();
    const event = makeEvent();
    const everyLine = { LOG_SUCCESS_SAMPLE_RATE: "1" }; // successes are sampled; log this one
    expect((await send(headers, JSON.stringify({ event }), everyLine)).status).toBe(202);
    expect((await send(headers, JSON.stringify({ event: makeEvent() }), everyLine)).status).toBe(401);
    expect((await send({ ...headers, "x-radar-signature": "0".repeat(40) }, JSON.stringify({ event }), everyLine)).status).toBe(401);
    expect(lines).toHaveLength(3);
    const secrets = [headers["x-radar-signature"]!, headers["x-radar-signing-id"]!, DEV_TOKEN, SECOND_TOKEN, event._id as string, "0".repeat(40)];
    for (const secret of secrets) expect(lines.join("\n")).not.toContain(secret);
  });
});

describe("legacy mode refuses unsigned requests before reading the body", () => {
  it.each([
    ["no signature", {}],
    ["an undecodable signature", { "x-radar-signature": "not-a-digest" }],
  ])("%s → 401, body never read", async (_, extra) => {
    const { watch, body } = watchedBody();
    const { status } = await send({ "content-type": "application/json", ...extra }, body, { RADAR_ACCEPT_LEGACY_SIGNATURE: "true" });
    expect(status).toBe(401);
    expect(watch.pulled).toBe(false);
  });

  it("a bad current-scheme signature is refused before the body too", async () => {
    const { watch, body } = watchedBody();
    const { status } = await send({ "content-type": "application/json", "x-radar-signing-id": "id", "x-radar-signature": "0".repeat(40) }, body);
    expect(status).toBe(401);
    expect(watch.pulled).toBe(false);
  });
});

describe("token list", () => {
  it.each([
    ["a third token", "a,b,c"],
    ["an empty entry", "a,,b"],
    ["a trailing comma", "a,"],
    ["nothing", ""],
  ])("%s is refused by parseTokenList", (_, secret) => {
    expect(parseTokenList(secret)).toEqual({ error: expect.any(String) });
  });

  it("keeps one or two tokens, trimmed", () => {
    expect(parseTokenList(" a , b ")).toEqual({ tokens: ["a", "b"] });
    expect(parseTokenList("a")).toEqual({ tokens: ["a"] });
  });

  it("a third token makes the webhook answer 503 token_list_invalid, even to a valid signature, and /healthz say why", async () => {
    const overrides = { RADAR_WEBHOOK_TOKEN: `${DEV_TOKEN},second,third-token` };
    const hook = await send(await signedHeaders(), JSON.stringify({ event: makeEvent() }), overrides);
    expect(hook.status).toBe(503);
    expect(hook.json.error.code).toBe("token_list_invalid");
    expect(JSON.stringify(hook.json)).not.toContain(DEV_TOKEN);
    const health = await send({}, null, overrides, "/healthz", "GET");
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: "misconfigured", problems: [expect.stringContaining("3 tokens")] });
    expect(JSON.stringify(health.json)).not.toContain("third-token");
  });

  it("/healthz is 200 with the test configuration", async () => {
    expect((await send({}, null, {}, "/healthz", "GET")).json).toEqual({ status: "ok" });
  });
});

describe("signing id length", () => {
  it("refuses a correctly signed 257-character signing id (401), accepts 256", async () => {
    const sign = async (id: string) => ({ "content-type": "application/json", "x-radar-signing-id": id, "x-radar-signature": toHex(await hmacSha1(DEV_TOKEN, id)) });
    const long = crypto.randomUUID().padEnd(257, "x");
    expect((await send(await sign(long), JSON.stringify({ event: makeEvent() }))).status).toBe(401);
    expect((await send(await sign(long.slice(0, 256)), JSON.stringify({ event: makeEvent() }))).status).toBe(202);
  });
});

describe("duplicate _id in one body", () => {
  it("is refused with 400 validation_failed and nothing enqueued", async () => {
    const event = makeEvent();
    const { status, json, run } = await send(await signedHeaders(), JSON.stringify({ events: [event, { ...event, type: "user.entered_geofence" }] }));
    expect(status).toBe(400);
    expect(json.error.code).toBe("validation_failed");
    expect(run.INGEST_QUEUE.sent).toHaveLength(0);
  });
});

describe("Kinesis PartitionKey cut", () => {
  it("never splits a surrogate pair and stays within 256 UTF-16 units", () => {
    const key = partitionKeyOf({ user_id: "a" + "🚛".repeat(200), id: "evt" } as LocationRecord);
    expect(key.length).toBe(255);
    expect(key.endsWith("🚛")).toBe(true);
    expect(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(new TextEncoder().encode(key))).toBe(key);
  });

  it("replaces a lone surrogate from the JSON with U+FFFD", () => {
    expect(truncateWellFormed("user\ud800x", 256)).toBe("user\ufffdx");
    expect(truncateWellFormed("short", 256)).toBe("short");
  });
});

describe("guard index", () => {
  const id = (n: number) => n.toString(16).padStart(8, "0") + "f".repeat(24);

  it("keeps both minutes when two ids share a short key, so the older binding is still found", () => {
    const index = new MinuteIndex();
    const a = "00000000" + "a".repeat(24);
    const b = "00000000" + "b".repeat(24); // same 32-bit prefix as a
    index.add(a, 100);
    index.add(b, 105);
    expect(index.minutesOf(a, 106)).toEqual([105, 100]);
  });

  it("forgets entries once they leave the 24 h window", () => {
    const index = new MinuteIndex();
    index.add(id(1), 1000);
    index.add(id(9), 1100);
    expect(index.minutesOf(id(1), 1000 + WINDOW_MINUTES - 1)).toEqual([1000]);
    index.expire(1000 + WINDOW_MINUTES);
    expect(index.minutesOf(id(1), 1000 + WINDOW_MINUTES)).toEqual([]);
    expect(index.size).toBe(1);
  });

  it("drops the oldest keys past its memory bound and counts them", () => {
    const index = new MinuteIndex(2);
    [1, 2, 3].forEach((n) => index.add(id(n * 4), 1000 + n));
    index.expire(1004);
    expect([index.size, index.evicted]).toEqual([2, 1]);
    expect(index.minutesOf(id(4), 1004)).toEqual([]);
    expect(index.minutesOf(id(12), 1004)).toEqual([1003]);
  });

  it("finds an entry's body hash in a packed row and nothing for an unknown id", () => {
    const packed = packEntries([{ idHash: id(1), bodyHash: "1".repeat(32) }, { idHash: id(2), bodyHash: "2".repeat(32) }]);
    expect(findInPacked(packed, id(2))).toBe("2".repeat(32));
    expect(findInPacked(packed, id(3))).toBeUndefined();
  });
});
