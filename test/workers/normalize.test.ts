import { describe, expect, it } from "vitest";
import { LocationRecord, normalizeEvent } from "../../src/normalize";
import type { IngestMessage } from "../../src/contract/ingest-message";
import { RADAR_EXAMPLES } from "../fixtures/radar-examples";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";

const PROCESSED = Date.parse("2024-03-05T16:42:10.123Z");

function messagesOf(body: Record<string, unknown>): IngestMessage[] {
  const events = (body.events as Record<string, unknown>[] | undefined) ?? [body.event as Record<string, unknown>];
  return events.map((event) => makeMessage({ event, ...(body.user ? { user: body.user as Record<string, unknown> } : {}) }));
}

describe("normalizeEvent over every Radar example", () => {
  const cases = Object.entries(RADAR_EXAMPLES).flatMap(([name, body]) => messagesOf(body).map((m, i) => [`${name}#${i}`, m] as const));

  it.each(cases)("%s gives a valid record", (_, message) => {
    const record = normalizeEvent(message, PROCESSED);
    expect(LocationRecord.safeParse(record).success).toBe(true);
    expect(record.created_at).toBe(Date.parse(message.event.createdAt));
    expect(record.created_at_ms).toBe(record.created_at);
    expect(record.event_type).toBe(message.event.type);
    expect(record.process_timestamp).toBe(PROCESSED);
    expect(record.process_hour).toBe(Date.parse("2024-03-05T16:00:00.000Z"));
  });
});

describe("normalizeEvent field mapping", () => {
  it("maps the geofence example", () => {
    const [message] = messagesOf(RADAR_EXAMPLES["07-geofence-entered.json"]!);
    expect(normalizeEvent(message!, PROCESSED)).toMatchObject({
      id: "65e7266d8c1f3b0021d4ab02",
      actual_created_at: Date.parse("2024-03-05T14:09:50.233Z"),
      live: true,
      replayed: false,
      user_id: "65e70f3b2a9d4c0019b8e210",
      external_user_id: "drv-4471",
      device_id: "8C2E6A1F-3B4D-4E5F-9A0B-1C2D3E4F5A6B",
      latitude: 36.22751,
      longitude: -119.4339,
      accuracy_m: 18,
      confidence: 2,
      geofence_id: "65c3e8a41d2b7f0013c9a044",
      geofence_external_id: "farm-1183",
      geofence_tag: "farm",
      geofence_description: "Dairy 1183 - tank pad",
      trip_id: null,
    });
  });

  it("maps the observed shape: trip under event.user, MMUserId, startedAt, metadata", () => {
    const [message] = messagesOf(RADAR_EXAMPLES["03-trip-updated-observed-shape.json"]!);
    expect(normalizeEvent(message!, PROCESSED)).toMatchObject({
      user_id: "65e70f3b2a9d4c0019b8e2aa",
      mm_user_id: "6194a2c7e3d1f05b8c7a0e91",
      trip_id: "65e734f08c1f3b0021d4c002",
      trip_external_id: "9d3e1a70-2b4c-4f8e-a1d6-7c5b3e9f0a12",
      trip_status: null,
      trip_started_at: Date.parse("2024-03-05T14:55:12.004Z"),
      trip_mm_user_id: "6194a2c7e3d1f05b8c7a0e91",
      route_session_type: "RawMilk",
      route_session_id: "65e734e9d38530406ca4a311",
      trip_metadata_json: JSON.stringify({ route_session_type: "RawMilk", route_session_id: "65e734e9d38530406ca4a311" }),
      live: null,
      accuracy_m: null,
    });
  });

  it.each([
    ["event.trip", { event: makeEvent({ trip: { _id: "trip-event" } }) }],
    ["event.user.trip", { event: makeEvent({ user: { _id: "u", trip: { _id: "trip-event-user" } } }) }],
    ["the top-level user.trip", { event: makeEvent(), user: { _id: "u", trip: { _id: "trip-top-user" } } }],
  ] as Array<[string, { event: Record<string, unknown>; user?: Record<string, unknown> }]>)("finds the trip in %s", (_, { event, user }) => {
    const record = normalizeEvent(makeMessage({ event, ...(user && { user }) }), PROCESSED);
    expect(record.trip_id).toMatch(/^trip-/);
  });

  it("prefers event.trip over the user's trip", () => {
    const event = makeEvent({ trip: { _id: "A" }, user: { trip: { _id: "B" } } });
    expect(normalizeEvent(makeMessage({ event, user: { trip: { _id: "C" } } }), PROCESSED).trip_id).toBe("A");
  });

  it("takes the user from event.user, else the top-level user", () => {
    expect(normalizeEvent(makeMessage({ event: makeEvent({ user: { _id: "inner" } }), user: { _id: "outer" } }), PROCESSED).user_id).toBe("inner");
    expect(normalizeEvent(makeMessage({ event: makeEvent(), user: { _id: "outer", userId: "ext" } }), PROCESSED)).toMatchObject({ user_id: "outer", external_user_id: "ext" });
  });

  it("gives nulls without location or user", () => {
    const { location: _, ...event } = makeEvent();
    expect(normalizeEvent(makeMessage({ event }), PROCESSED)).toMatchObject({ latitude: null, longitude: null, user_id: null, device_id: null });
  });

  it("keeps unknown event types", () => {
    expect(normalizeEvent(makeMessage({ event: makeEvent({ type: "user.brand_new" }) }), PROCESSED).event_type).toBe("user.brand_new");
  });

  it.each([
    ["strings where numbers belong", { locationAccuracy: "18", confidence: "2", live: "true" }],
    ["objects where strings belong", { user: { _id: { $oid: "x" }, userId: 42 }, geofence: { tag: ["farm"] } }],
    ["arrays where objects belong", { user: [1, 2], trip: [], geofence: "farm" }],
    ["bad nested timestamps", { actualCreatedAt: "not a date", trip: { createdAt: 12, updatedAt: null, metadata: "x" } }],
    ["null everywhere", { user: null, trip: null, geofence: null, location: null, live: null }],
    ["non-finite-ish numbers", { locationAccuracy: 1e400, confidence: 2.5 }],
  ])("never throws on %s and gives nulls", (_, fields) => {
    const record = normalizeEvent(makeMessage({ event: makeEvent(fields) }), PROCESSED);
    expect(LocationRecord.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({ accuracy_m: null, confidence: null, live: null, user_id: null, trip_id: null, geofence_tag: null, actual_created_at: null });
  });
});
