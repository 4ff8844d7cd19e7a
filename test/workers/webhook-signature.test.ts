import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { decodeDigest, verifySignature } from "../../src/edge/signature";
import { testEnv } from "../fixtures/queues";
import {
  DEV_TOKEN, SECOND_TOKEN, VECTOR_SIGNATURE, VECTOR_SIGNING_ID, hmacSha1, makeEvent, toBase64, toHex,
} from "../fixtures/webhook";

async function post(headers: Record<string, string>, body: unknown, overrides: Partial<Env> = {}) {
  const env = testEnv(overrides);
  const request = new Request("https://edge.test/webhooks/radar", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const response = await worker.fetch(request, env, createExecutionContext());
  return { response, env };
}

describe("verifySignature", () => {
  it("accepts the published test vector", async () => {
    expect(await verifySignature([DEV_TOKEN], VECTOR_SIGNING_ID, VECTOR_SIGNATURE)).toBe(true);
  });

  it("accepts the base64 form of the same digest", async () => {
    expect(await verifySignature([DEV_TOKEN], VECTOR_SIGNING_ID, "+vCQA5w7rkrrxtBJ2GAvHVzXl/M=")).toBe(true);
  });

  it.each([
    ["a flipped hex digit", VECTOR_SIGNATURE.replace(/^f/, "e")],
    ["a truncated digest", VECTOR_SIGNATURE.slice(0, 38)],
    ["an empty string", ""],
    ["non-hex garbage", "z".repeat(40)],
  ])("refuses %s", async (_, signature) => {
    expect(await verifySignature([DEV_TOKEN], VECTOR_SIGNING_ID, signature)).toBe(false);
  });

  it("refuses a signature made for another signing id", async () => {
    expect(await verifySignature([DEV_TOKEN], "another-id", VECTOR_SIGNATURE)).toBe(false);
  });

  it("decodes hex and base64 to the same 20 bytes", () => {
    expect(decodeDigest(VECTOR_SIGNATURE)).toEqual(decodeDigest("+vCQA5w7rkrrxtBJ2GAvHVzXl/M="));
  });
});

describe("POST /webhooks/radar signature", () => {
  const body = { event: makeEvent() };

  it("accepts the vector headers (202)", async () => {
    const { response } = await post({ "x-radar-signing-id": VECTOR_SIGNING_ID, "x-radar-signature": VECTOR_SIGNATURE }, body);
    expect(response.status).toBe(202);
  });

  it("accepts a signature made with the second, rotated token", async () => {
    const sig = toHex(await hmacSha1(SECOND_TOKEN, "rotated-id"));
    const { response } = await post({ "x-radar-signing-id": "rotated-id", "x-radar-signature": sig }, body);
    expect(response.status).toBe(202);
  });

  it("follows a changed secret on the next request: the old token is refused once rotated out", async () => {
    const sig = toHex(await hmacSha1(DEV_TOKEN, "rotation-id"));
    const headers = { "x-radar-signing-id": "rotation-id", "x-radar-signature": sig };
    expect((await post(headers, body)).response.status).toBe(202);
    const rotated = await post(headers, body, { RADAR_WEBHOOK_TOKEN: SECOND_TOKEN });
    expect(rotated.response.status).toBe(401);
    expect(rotated.env.INGEST_QUEUE.sent).toHaveLength(0);
    const newSig = toHex(await hmacSha1(SECOND_TOKEN, "rotation-id-2"));
    expect((await post({ "x-radar-signing-id": "rotation-id-2", "x-radar-signature": newSig }, body, { RADAR_WEBHOOK_TOKEN: SECOND_TOKEN })).response.status).toBe(202);
  });

  it("accepts a base64 signature", async () => {
    const sig = toBase64(await hmacSha1(DEV_TOKEN, "b64-id"));
    const { response } = await post({ "x-radar-signing-id": "b64-id", "x-radar-signature": sig }, body);
    expect(response.status).toBe(202);
  });

  it.each([
    ["a wrong signature", { "x-radar-signing-id": VECTOR_SIGNING_ID, "x-radar-signature": "0".repeat(40) }],
    ["a missing signature", { "x-radar-signing-id": VECTOR_SIGNING_ID }],
    ["an empty signature", { "x-radar-signing-id": VECTOR_SIGNING_ID, "x-radar-signature": "" }],
    ["no signing headers at all", {}],
    ["an empty signing id", { "x-radar-signing-id": "", "x-radar-signature": VECTOR_SIGNATURE }],
  ])("refuses %s with 401 and enqueues nothing", async (_, headers) => {
    const { response, env } = await post(headers, body);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("refuses a signature replayed with a body for another id when legacy is off", async () => {
    const legacySig = "5a1674ef601c9269ae050a513e86bebb87a93c6b";
    const { response } = await post({ "x-radar-signature": legacySig }, { event: makeEvent({ _id: "65a1f0c2e4b7d8001f3a9c21" }) });
    expect(response.status).toBe(401);
  });
});

describe("legacy signature (HMAC over the event _id)", () => {
  const legacySig = "5a1674ef601c9269ae050a513e86bebb87a93c6b";
  const legacyOn = { RADAR_ACCEPT_LEGACY_SIGNATURE: "true" };

  it("accepts the legacy vector for a single event when enabled", async () => {
    const { response } = await post({ "x-radar-signature": legacySig }, { event: makeEvent({ _id: "65a1f0c2e4b7d8001f3a9c21" }) }, legacyOn);
    expect(response.status).toBe(202);
  });

  it("signs events[0]._id for multi-event bodies", async () => {
    // A fresh id: the vector's id is already bound to the single-event body above.
    const events = [makeEvent({ _id: "65a1f0c2e4b7d8001f3a9c22" }), makeEvent()];
    const sig = toHex(await hmacSha1(DEV_TOKEN, "65a1f0c2e4b7d8001f3a9c22"));
    const { response } = await post({ "x-radar-signature": sig }, { events }, legacyOn);
    expect(response.status).toBe(202);
  });

  it("refuses a legacy signature over another event id even when enabled", async () => {
    const { response, env } = await post({ "x-radar-signature": legacySig }, { event: makeEvent({ _id: "65a1f0c2e4b7d8001f3a9c99" }) }, legacyOn);
    expect(response.status).toBe(401);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });
});
