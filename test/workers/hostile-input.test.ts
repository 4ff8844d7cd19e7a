import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/edge/read-json-body";
import { example } from "../fixtures/radar-examples";
import { postRaw, type RawPost } from "../fixtures/post-raw";
import { hmacSha1, makeEvent, toHex } from "../fixtures/webhook";

const ok = (event: Record<string, unknown> = {}) => JSON.stringify({ event: makeEvent(event) });
const valid = JSON.stringify(example("07-geofence-entered.json"));
const nest = (depth: number) => `{"event":${JSON.stringify(makeEvent()).slice(0, -1)},"x":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
const chunked = (text: string) => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(text)); c.close(); } });

type Case = [name: string, request: RawPost | (() => Promise<RawPost>), status: number, code?: string];

// Each case: what a hostile or broken client sends, and the documented answer.
const CASES: Case[] = [
  ["truncated object", { body: '{"event": {' }, 400, "invalid_json"],
  ["missing value", { body: '{"event":}' }, 400, "invalid_json"],
  ["unterminated array", { body: "[1,2" }, 400, "invalid_json"],
  ["bare word", { body: "nul" }, 400, "invalid_json"],
  ["trailing garbage", { body: '{"a":1}}' }, 400, "invalid_json"],
  ["NaN literal", { body: '{"event":{"type":"t","createdAt":"2024-03-05T15:10:44Z","location":{"type":"Point","coordinates":[NaN,1]}}}' }, 400, "invalid_json"],
  ["a valid example cut in half", { body: valid.slice(0, valid.length / 2) }, 400, "invalid_json"],
  ["a valid example missing its last byte", { body: valid.slice(0, -1) }, 400, "invalid_json"],
  ["empty body", { body: "" }, 400, "invalid_json"],
  ["whitespace body", { body: "   \n\t " }, 400, "invalid_json"],
  ["65 levels of arrays", { body: nest(64) }, 400, "invalid_json"],
  ["100,000 levels of nesting", { body: nest(100_000) }, 400, "invalid_json"],
  ["nesting inside strings is not nesting", { body: ok({ note: "[[[[".repeat(100) }) }, 202],
  ["one 900 KB string in one event", { body: ok({ note: "x".repeat(900_000) }) }, 413, "payload_too_large"],
  ["2 MiB body with Content-Length", { body: "x".repeat(2 * MAX_BODY_BYTES) }, 413, "payload_too_large"],
  ["2 MiB chunked body without length", { body: chunked(" ".repeat(2 * MAX_BODY_BYTES)) }, 413, "payload_too_large"],
  ["type is a number", { body: JSON.stringify({ event: { ...makeEvent(), type: 123 } }) }, 400, "validation_failed"],
  ["createdAt is a number", { body: JSON.stringify({ event: { ...makeEvent(), createdAt: 1709651444902 } }) }, 400, "validation_failed"],
  ["createdAt in full-width digits", { body: ok({ createdAt: "２０２４-03-05T15:10:44Z" }) }, 400, "validation_failed"],
  ["createdAt on February 30th", { body: ok({ createdAt: "2024-02-30T15:10:44Z" }) }, 400, "validation_failed"],
  ["events is an object", { body: JSON.stringify({ events: { 0: makeEvent() } }) }, 400, "validation_failed"],
  ["event is an array", { body: JSON.stringify({ event: [makeEvent()] }) }, 400, "validation_failed"],
  ["event is a string", { body: JSON.stringify({ event: "user.entered_geofence" }) }, 400, "validation_failed"],
  ["events contains null", { body: JSON.stringify({ events: [makeEvent(), null] }) }, 400, "validation_failed"],
  ["location is a string", { body: ok({ location: "36.2,-119.4" }) }, 400, "validation_failed"],
  ["latitude 90.0001", { body: ok({ location: { type: "Point", coordinates: [-119, 90.0001] } }) }, 400, "validation_failed"],
  ["longitude -180.5", { body: ok({ location: { type: "Point", coordinates: [-180.5, 36] } }) }, 400, "validation_failed"],
  ["empty coordinates", { body: ok({ location: { type: "Point", coordinates: [] } }) }, 400, "validation_failed"],
  ["one coordinate", { body: ok({ location: { type: "Point", coordinates: [-119] } }) }, 400, "validation_failed"],
  ["coordinate 1e999 (Infinity)", { body: ok({}).replace('"coordinates":[-119.2871,36.0652]', '"coordinates":[1e999,36]') }, 400, "validation_failed"],
  ["a Polygon instead of a Point", { body: ok({ location: { type: "Polygon", coordinates: [[[0, 0]]] } }) }, 400, "validation_failed"],
  ["text/plain", { body: ok(), headers: { "content-type": "text/plain" } }, 415, "unsupported_media_type"],
  ["no Content-Type", { body: ok(), headers: { "content-type": null } }, 415, "unsupported_media_type"],
  ["multipart/form-data", { body: ok(), headers: { "content-type": "multipart/form-data; boundary=x" } }, 415, "unsupported_media_type"],
  ["application/xml", { body: "<event/>", headers: { "content-type": "application/xml" } }, 415, "unsupported_media_type"],
  ["no signature headers", { body: ok(), headers: { "x-radar-signing-id": null, "x-radar-signature": null } }, 401, "unauthorized"],
  ["a signature of the wrong length", { body: ok(), headers: { "x-radar-signature": "abc123" } }, 401, "unauthorized"],
  [
    "a valid signature replayed with another signing id",
    async () => ({ body: ok(), headers: { "x-radar-signing-id": "id-B", "x-radar-signature": toHex(await hmacSha1("synthetic-webhook-token-0000", "id-A")) } }),
    401,
    "unauthorized",
  ],
  [
    "a signature made with an unknown token",
    async () => ({ body: ok(), headers: { "x-radar-signing-id": "id-C", "x-radar-signature": toHex(await hmacSha1("attacker-token", "id-C")) } }),
    401,
    "unauthorized",
  ],
  ["__proto__ inside an event", { body: ok({}).replace('"_id"', '"__proto__":{"polluted":true},"_id"') }, 202],
  ["constructor.prototype inside an event", { body: ok({ constructor: { prototype: { polluted: true } } }) }, 202],
  ["__proto__ carrying the event", { body: `{"__proto__":${JSON.stringify({ event: makeEvent() })}}` }, 400, "validation_failed"],
  ["emoji and RTL text in the type", { body: ok({ type: "user.🚛‮entered" }) }, 202],
  ["a lone surrogate escape", { body: ok({}).replace('"user.updated_trip"', '"user.\\ud800trip"') }, 202],
  ["a NUL character in a string", { body: ok({ note: "a\u0000b" }) }, 202],
  ["a UTF-8 byte-order mark", { body: "\ufeff" + ok() }, 202],
  ["invalid UTF-8 bytes", { body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) }, 400, "invalid_json"],
  ["101 events", { body: JSON.stringify({ events: Array.from({ length: 101 }, () => makeEvent()) }) }, 400, "validation_failed"],
  ["a valid event then an invalid one", { body: JSON.stringify({ events: [makeEvent(), { type: "x" }] }) }, 400, "validation_failed"],
  ["GET", { method: "GET" }, 405, "method_not_allowed"],
  ["DELETE", { method: "DELETE", body: ok() }, 405, "method_not_allowed"],
];

describe("hostile input corpus", () => {
  it("has at least 40 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it.each(CASES)("%s → %i", async (_, request, status, code) => {
    const { status: got, json, env } = await postRaw(typeof request === "function" ? await request() : request);
    expect(got).toBe(status);
    if (status >= 400) {
      expect(json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
      expect(env.INGEST_QUEUE.sent).toHaveLength(0);
      expect(env.FORWARD_QUEUE.sent).toHaveLength(0);
    } else {
      expect(env.INGEST_QUEUE.sent).toHaveLength(json!.accepted);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});
