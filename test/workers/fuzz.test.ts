import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RadarPayload } from "../../src/contract/radar-payload";
import { LocationRecord, normalizeEvent } from "../../src/normalize";
import { encodeLocationParquet, sortRecords } from "../../src/sinks/lake-parquet";
import { makeMessage } from "../fixtures/messages";
import { postRaw } from "../fixtures/post-raw";
import { makeEvent } from "../fixtures/webhook";

const DOCUMENTED = new Set([202, 400, 413]);

/** Events that are valid at their core but carry arbitrary extra or replaced fields. */
const mutatedEvent = fc
  .record({
    extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
    replace: fc.dictionary(fc.constantFrom("type", "createdAt", "location", "_id", "user", "trip", "geofence", "live", "locationAccuracy"), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
  })
  .map(({ extra, replace }) => ({ ...extra, ...makeEvent(), ...replace }));

const bodyArbitrary = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  mutatedEvent.map((event) => ({ event })),
  fc.array(mutatedEvent, { minLength: 0, maxLength: 6 }).map((events) => ({ events })),
  fc.record({ event: mutatedEvent, user: fc.jsonValue({ maxDepth: 2 }) }),
);

describe("property: the webhook never fails with 5xx and never half-accepts", () => {
  it("answers only documented statuses, enqueues nothing it refuses, and everything it accepts", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArbitrary, async (body) => {
        const { status, json, env } = await postRaw({ body: JSON.stringify(body) });
        expect(DOCUMENTED.has(status)).toBe(true);
        const valid = RadarPayload.safeParse(body).success;
        if (status === 202) {
          expect(valid).toBe(true);
          expect(env.INGEST_QUEUE.sent).toHaveLength(json!.accepted);
        } else {
          expect(json).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
          expect(env.INGEST_QUEUE.sent).toHaveLength(0);
          if (status === 400) expect(valid).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("answers arbitrary bytes with a documented refusal", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const { status, env } = await postRaw({ body: bytes });
        expect([202, 400]).toContain(status);
        if (status !== 202) expect(env.INGEST_QUEUE.sent).toHaveLength(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe("property: normalization and encoding never throw", () => {
  const anyFields = fc.dictionary(
    fc.constantFrom("user", "trip", "geofence", "location", "live", "replayed", "locationAccuracy", "confidence", "actualCreatedAt", "_id", "metadata"),
    fc.anything({ maxDepth: 3, withBigInt: false, withBoxedValues: true, withNullPrototype: true, withObjectString: true }),
  );

  it("turns any event shape into a valid record that encodes to Parquet", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ fields: anyFields, user: fc.option(fc.anything({ maxDepth: 2 })) }), { minLength: 1, maxLength: 20 }), async (items) => {
        const records = items.map(({ fields, user }) => {
          const message = makeMessage({ event: { ...makeEvent(), ...fields }, ...(user && typeof user === "object" ? { user: user as Record<string, unknown> } : {}) });
          const record = normalizeEvent(message, Date.parse("2024-03-05T16:00:00.000Z"));
          expect(LocationRecord.safeParse(record).success).toBe(true);
          return record;
        });
        expect((await encodeLocationParquet(sortRecords(records))).byteLength).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
