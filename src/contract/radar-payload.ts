// zod/mini: the same zod schemas, tree-shakeable (~25 KB bundled instead of ~440 KB).
import * as z from "zod/mini";

/** Maximum events in one webhook body (Radar sends at most 5; we allow headroom). */
export const MAX_EVENTS_PER_BODY = 100;

const longitude = z.number().check(z.gte(-180), z.lte(180));
const latitude = z.number().check(z.gte(-90), z.lte(90));

/** GeoJSON Point, `[longitude, latitude]`, an optional altitude is tolerated. */
export const GeoPoint = z.looseObject({
  type: z.literal("Point"),
  coordinates: z.tuple([longitude, latitude], z.number()),
});

/** ISO-8601 date-time with a time part and a zone (`Z` or an offset). */
export const IsoDateTime = z.iso
  .datetime({ offset: true })
  .check(z.refine((value) => Number.isFinite(Date.parse(value)), "not a real date-time"));

const DAY_MS = 86_400_000;
/** Earliest `createdAt`: a location fix from before 2000 is a broken device clock, not data. */
const CREATED_AT_MIN_MS = Date.UTC(2000, 0, 1);
/**
 * Other timestamps that become lake columns keep four-digit years (1000–9999): inside the
 * range Snowflake's TIMESTAMP types hold, and printed by every reader as `YYYY-…`.
 */
const LAKE_TIME_MIN_MS = Date.UTC(1000, 0, 1);
const LAKE_TIME_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * `createdAt` picks the `dt=…/hour=…` partition, so it must be a plausible instant: from
 * 2000-01-01T00:00:00Z to one day after now. Consumers re-check archived envelopes later;
 * that stays true, as "now" only grows.
 */
const EventCreatedAt = IsoDateTime.check(
  z.refine((value) => {
    const ms = Date.parse(value);
    return !Number.isFinite(ms) || (ms >= CREATED_AT_MIN_MS && ms <= Date.now() + DAY_MS);
  }, "createdAt must lie between 2000-01-01T00:00:00Z and one day after now"),
);

const TRIP_TIMES = ["createdAt", "updatedAt", "startedAt"];
const EVENT_TIME_PATHS = [["actualCreatedAt"], ...TRIP_TIMES.map((t) => ["trip", t]), ...TRIP_TIMES.map((t) => ["user", "trip", t])];
const USER_TIME_PATHS = TRIP_TIMES.map((t) => ["trip", t]);

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Refuses, at their paths, readable timestamps the normalizer would turn into lake columns
 * outside years 1000–9999. Values it would store as NULL (not a string, unparseable) stay tolerated.
 */
function lakeTimesInRange(paths: readonly (readonly string[])[]) {
  return z.superRefine((value: Record<string, unknown>, ctx) => {
    for (const path of paths) {
      const found = readPath(value, path);
      const ms = typeof found === "string" ? Date.parse(found) : Number.NaN;
      if (Number.isFinite(ms) && (ms < LAKE_TIME_MIN_MS || ms > LAKE_TIME_MAX_MS)) {
        ctx.addIssue({ code: "custom", message: "timestamp year must lie between 1000 and 9999 (UTC)", input: found, path: [...path] });
      }
    }
  });
}

/**
 * Ids the edge derives for events without `_id` start with this prefix (src/edge/event-id.ts).
 * An explicit `_id` may not use it, so a sent id can never name another event's content.
 */
export const DERIVED_ID_PREFIX = "sha256-";

/**
 * The rules a new event's explicit `_id` must meet at the edge: well-formed Unicode (UTF-8
 * cannot hold an unpaired surrogate, so two such ids would land in the lake as one) and outside
 * the derived ids' namespace. Only the webhook body checks them: envelopes archived before these
 * rules keep being read (consumers and rebuilds validate with RadarEvent alone).
 */
const explicitIdRules = z.superRefine((event: { _id?: string }, ctx) => {
  const id = event._id;
  if (id === undefined) return;
  if (!id.isWellFormed()) ctx.addIssue({ code: "custom", message: "_id must be well-formed Unicode (it holds an unpaired UTF-16 surrogate)", input: id, path: ["_id"] });
  if (id.startsWith(DERIVED_ID_PREFIX)) {
    ctx.addIssue({ code: "custom", message: `_id must not start with "${DERIVED_ID_PREFIX}": that prefix is reserved for ids derived from events without _id`, input: id, path: ["_id"] });
  }
});

/** The body's `user`; its trip's timestamps become lake columns too. */
export const RadarUser = z.looseObject({}).check(lakeTimesInRange(USER_TIME_PATHS));

/**
 * One Radar event, validated tolerantly: only `type` and `createdAt` are required and
 * every field we do not check is kept verbatim (unknown types and keys included).
 */
export const RadarEvent = z
  .looseObject({
    _id: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    type: z.string().check(z.minLength(1), z.maxLength(256)),
    createdAt: EventCreatedAt,
    location: z.optional(GeoPoint),
  })
  .check(lakeTimesInRange(EVENT_TIME_PATHS));

/** An event of a new webhook body: RadarEvent plus the explicit-id rules. */
const IncomingRadarEvent = RadarEvent.check(explicitIdRules);

/** True when no two events share an `_id` (the lake and Kinesis would keep different copies). */
function hasUniqueIds(events: ReadonlyArray<{ _id?: string }>): boolean {
  const ids = events.flatMap((e) => (e._id === undefined ? [] : [e._id]));
  return new Set(ids).size === ids.length;
}

/** A webhook body: Radar's "Single Event" or "Multiple Events" delivery. */
export const RadarPayload = z
  .looseObject({
    event: z.optional(IncomingRadarEvent),
    events: z.optional(
      z.array(IncomingRadarEvent).check(z.minLength(1), z.maxLength(MAX_EVENTS_PER_BODY), z.refine(hasUniqueIds, "two events share the same _id")),
    ),
    user: z.optional(RadarUser),
  })
  .check(z.refine((body) => (body.event === undefined) !== (body.events === undefined), 'exactly one of "event" or "events" is required'));

export type RadarEvent = z.infer<typeof RadarEvent>;
export type RadarPayload = z.infer<typeof RadarPayload>;
