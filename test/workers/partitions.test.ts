import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import { hourPartition } from "../../src/lake/keys";
import { listKeys } from "../fixtures/lake";
import { makeMessage, queued } from "../fixtures/messages";
import { postRaw } from "../fixtures/post-raw";
import { testEnv } from "../fixtures/queues";
import { makeEvent } from "../fixtures/webhook";

const NINE_NINE = "9999-12-31T23:30:00-05:00"; // UTC year 10000
const YEAR_ZERO = "0000-01-01T00:30:00+01:00"; // UTC year -1
const iso = (ms: number) => new Date(ms).toISOString();

async function post(body: unknown) {
  const { status, json, env: run } = await postRaw({ body: JSON.stringify(body) });
  return { status, json, enqueued: run.INGEST_QUEUE.sent.length + run.FORWARD_QUEUE.sent.length };
}

afterEach(() => vi.restoreAllMocks());

describe("hourPartition keys", () => {
  it.each([NINE_NINE, YEAR_ZERO])("refuses %s (no dt=YYYY-MM-DD/hour=HH exists for it)", (value) => {
    expect(() => hourPartition(Date.parse(value))).toThrow(RangeError);
  });

  it.each([
    ["9999-12-31T23:30:00Z", "dt=9999-12-31/hour=23"],
    ["0000-01-01T00:30:00Z", "dt=0000-01-01/hour=00"],
    ["2024-03-05T23:30:00-05:00", "dt=2024-03-06/hour=04"],
  ])("keeps the UTC hour of %s", (value, partition) => {
    expect(hourPartition(Date.parse(value))).toBe(partition);
  });
});

describe("timestamp windows at the edge: 400 validation_failed with the path, nothing enqueued", () => {
  it.each([
    ["createdAt in year 10000 UTC", { event: makeEvent({ createdAt: NINE_NINE }) }, "event.createdAt"],
    ["createdAt in year -1 UTC", { event: makeEvent({ createdAt: YEAR_ZERO }) }, "event.createdAt"],
    ["createdAt just before 2000", { event: makeEvent({ createdAt: "1999-12-31T23:59:59.999Z" }) }, "event.createdAt"],
    ["createdAt more than a day ahead", { event: makeEvent({ createdAt: iso(Date.now() + 86_400_000 + 60_000) }) }, "event.createdAt"],
    ["the fourth event's createdAt", { events: [makeEvent(), makeEvent(), makeEvent(), makeEvent({ createdAt: NINE_NINE })] }, "events.3.createdAt"],
    ["actualCreatedAt before year 1000", { event: makeEvent({ actualCreatedAt: "0999-12-31T23:59:59Z" }) }, "event.actualCreatedAt"],
    ["trip startedAt in year 10000", { event: makeEvent({ trip: { _id: "t", startedAt: NINE_NINE } }) }, "event.trip.startedAt"],
    ["event user's trip updatedAt", { event: makeEvent({ user: { _id: "u", trip: { updatedAt: YEAR_ZERO } } }) }, "event.user.trip.updatedAt"],
    ["body user's trip createdAt", { event: makeEvent(), user: { _id: "u", trip: { createdAt: "+010000-01-01T00:00:00Z" } } }, "user.trip.createdAt"],
  ])("%s", async (_, body, path) => {
    const { status, json, enqueued } = await post(body);
    expect(status).toBe(400);
    expect(json!.error.code).toBe("validation_failed");
    expect(json!.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(enqueued).toBe(0);
  });

  it.each([
    ["createdAt at 2000-01-01T00:00:00Z", { event: makeEvent({ createdAt: "2000-01-01T00:00:00Z" }) }],
    ["createdAt 23 h ahead", { event: makeEvent({ createdAt: iso(Date.now() + 23 * 3_600_000) }) }],
    ["actualCreatedAt in year 1000 and trip times in 9999", { event: makeEvent({ actualCreatedAt: "1000-01-01T00:00:00Z", trip: { startedAt: "9999-12-31T23:59:59Z" } }) }],
    ["timestamps the lake stores as NULL (not strings, unparseable)", { event: makeEvent({ actualCreatedAt: 5, trip: { createdAt: "soon", updatedAt: null } }) }],
  ])("accepts %s", async (_, body) => {
    const { status, enqueued } = await post(body);
    expect(status).toBe(202);
    expect(enqueued).toBeGreaterThan(0);
  });
});

describe("consumers and admin never write or ask for a malformed partition", () => {
  it("an archived envelope with an out-of-window createdAt is quarantined, not written under locations/", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const bad = makeMessage({ event: makeEvent({ createdAt: NINE_NINE }) });
    const batch = createMessageBatch("milk-ingest", [queued(bad)]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(await listKeys(env.LAKE_BUCKET, "locations/")).toEqual([]);
    expect(await listKeys(env.LAKE_BUCKET, "quarantine/")).toHaveLength(1);
  });

  it("rebuild of an hour past year 9999 is a 400, not a 500", async () => {
    const request = new Request("https://edge.test/admin/rebuild", {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ from: "9999-12-31T23:00:00-05:00", to: "9999-12-31T23:30:00-05:00" }),
    });
    const response = await worker.fetch(request, testEnv(), createExecutionContext());
    expect(response.status).toBe(400);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe("validation_failed");
  });
});
