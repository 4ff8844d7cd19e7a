// Property tests of issue 23 (one id is one event): unpaired surrogates anywhere, explicit ids
// shaped like derived ones; every 202 is followed through the real lake writer and Kinesis forwarder.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IngestMessage } from "../../src/contract/ingest-message";
import { canonicalJson, deriveEventId } from "../../src/edge/event-id";
import { toWellFormedJson } from "../../src/edge/well-formed";
import { hourPartition } from "../../src/lake/keys";
import { consumeBatch } from "../fixtures/consume";
import { acceptKinesisRecords } from "../fixtures/kinesis";
import { listKeys, readNdjsonGz, readParquetObject } from "../fixtures/lake";
import { postRaw } from "../fixtures/post-raw";

const unpaired = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const brokenString = fc.tuple(fc.string({ maxLength: 4 }), unpaired, fc.string({ maxLength: 4 })).map((parts) => parts.join(""));
const someString = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), brokenString);
const derivedShaped = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => `sha256-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
type IdChoice = { kind: "none" } | { kind: "fresh" } | { kind: "given"; id: string } | { kind: "stolen"; of: number } | { kind: "copy"; of: number };
// Weighted so that about half the bodies are accepted: the sinks are checked only on a 202.
const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { arbitrary: fc.constant({ kind: "none" as const }), weight: 6 },
  { arbitrary: fc.constant({ kind: "fresh" as const }), weight: 6 },
  { arbitrary: fc.oneof(brokenString, derivedShaped).map((id) => ({ kind: "given" as const, id })), weight: 1 },
  { arbitrary: fc.nat(5).map((of) => ({ kind: "stolen" as const, of })), weight: 1 }, // the derived id of a sibling event
  { arbitrary: fc.nat(5).map((of) => ({ kind: "copy" as const, of })), weight: 1 }, // the explicit _id of a sibling event
);
const eventSpec = fc.record({
  id: idChoice,
  type: fc.constantFrom("user.entered_geofence", "user.updated_trip"),
  driver: someString,
  tag: someString,
  note: someString,
  key: someString,
  repeat: fc.nat(5).map((n) => n === 0), // the same content as the previous event
});

let hourOffset = 0;

/** Events of one body in their own lake hour, so each run reads only its own rows. */
async function buildEvents(specs: Array<typeof eventSpec extends fc.Arbitrary<infer T> ? T : never>): Promise<Record<string, unknown>[]> {
  const createdAt = new Date(Date.UTC(2021, 0, 1) + hourOffset++ * 3_600_000 + 60_000).toISOString();
  const events: Record<string, unknown>[] = [];
  for (const spec of specs) {
    const previous = events.at(-1);
    const content = spec.repeat && previous ? structuredClone(previous) : { type: spec.type, createdAt, location: { type: "Point", coordinates: [-119.2, 36.1] }, user: { _id: spec.driver }, geofence: { tag: spec.tag, description: spec.note }, metadata: { [spec.key]: spec.note } };
    events.push(content);
  }
  const withoutIds = events.map(({ _id, ...rest }) => rest);
  for (const [i, { id }] of specs.entries()) {
    const event = events[i]!;
    if (id.kind === "none") delete event._id;
    else if (id.kind === "fresh") event._id = `evt-${crypto.randomUUID()}`;
    else if (id.kind === "given") event._id = id.id;
    else if (id.kind === "stolen") event._id = await deriveEventId(withoutIds[id.of % events.length]!);
    else if (events[id.of % events.length]!._id !== undefined) event._id = events[id.of % events.length]!._id;
  }
  return events;
}

/** The oracle: refused exactly when an explicit id is broken or reserved, or two events would share an id. */
async function shouldRefuse(events: Record<string, unknown>[]): Promise<boolean> {
  const explicit = events.map((e) => e._id).filter((id): id is string => typeof id === "string");
  if (explicit.some((id) => !id.isWellFormed() || id.startsWith("sha256-"))) return true;
  const ids = await Promise.all(events.map((e) => (typeof e._id === "string" ? e._id : deriveEventId(toWellFormedJson(e).value))));
  return new Set(ids).size !== ids.length;
}

async function lakeRows(prefix: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await listKeys(env.LAKE_BUCKET, prefix)) rows.push(...(await readParquetObject(env.LAKE_BUCKET, key)).rows);
  return rows;
}

async function archived(prefix: string): Promise<IngestMessage[]> {
  const envelopes: IngestMessage[] = [];
  for (const key of await listKeys(env.LAKE_BUCKET, prefix)) envelopes.push(...((await readNdjsonGz(env.LAKE_BUCKET, key)) as IngestMessage[]));
  return envelopes;
}

/** Sorted, as escaped JSON: a failure message holding an unpaired surrogate would break the test runner's socket. */
const sorted = (values: string[]) => JSON.stringify([...values].sort());

describe("property: one id is one event in every sink", () => {
  it("refuses exactly the bodies whose ids are broken, reserved or shared, and lands every accepted id once, well-formed, alike in lake, archive and Kinesis", async () => {
    const forwardTypes = new Set(env.FORWARD_EVENT_TYPES.split(","));
    await fc.assert(
      fc.asyncProperty(fc.array(eventSpec, { minLength: 1, maxLength: 4 }), async (specs) => {
        const events = await buildEvents(specs);
        const partition = hourPartition(Date.parse(events[0]!.createdAt as string));
        const { status, json, env: run } = await postRaw({ body: JSON.stringify({ events }) });
        expect(status).toBe((await shouldRefuse(events)) ? 400 : 202);
        if (status !== 202) {
          expect(run.INGEST_QUEUE.sent).toHaveLength(0);
          return;
        }

        const ids = json!.ids as string[];
        expect(ids.filter((id) => !id.isWellFormed()).map((id) => JSON.stringify(id))).toEqual([]);
        ids.forEach((id, i) => ids.forEach((other, j) => i < j && id === other && expect(canonicalJson(run.INGEST_QUEUE.sent[i]!.event)).toBe(canonicalJson(run.INGEST_QUEUE.sent[j]!.event))));

        await consumeBatch("milk-ingest", run.INGEST_QUEUE.sent);
        const kinesis = acceptKinesisRecords();
        try {
          await consumeBatch("milk-forward", run.FORWARD_QUEUE.sent);
        } finally {
          kinesis.restore();
        }
        const rows = await lakeRows(`locations/${partition}/`);
        expect(sorted(rows.map((r) => r.id as string))).toEqual(sorted(ids));
        const envelopes = await archived(`raw/${partition}/`);
        expect(sorted(envelopes.map((e) => e.id))).toEqual(sorted(ids));
        expect(envelopes.every((e) => toWellFormedJson(e).repaired === 0)).toBe(true);

        const forwarded = ids.filter((_, i) => forwardTypes.has(events[i]!.type as string));
        expect(sorted(kinesis.records.map((r) => r.data.id as string))).toEqual(sorted(forwarded));
        const rowById = new Map(rows.map((r) => [r.id as string, r]));
        for (const { data } of kinesis.records) {
          const row = rowById.get(data.id as string)!;
          for (const [field, value] of Object.entries(data)) if (typeof value === "string" && field !== "created_at") expect(JSON.stringify(value)).toBe(JSON.stringify(row[field]));
        }
      }),
      { numRuns: 80 },
    );
  });
});
