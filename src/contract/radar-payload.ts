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

/**
 * One Radar event, validated tolerantly: only `type` and `createdAt` are required and
 * every field we do not check is kept verbatim (unknown types and keys included).
 */
export const RadarEvent = z.looseObject({
  _id: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  type: z.string().check(z.minLength(1), z.maxLength(256)),
  createdAt: IsoDateTime,
  location: z.optional(GeoPoint),
});

/** True when no two events share an `_id` (the lake and Kinesis would keep different copies). */
function hasUniqueIds(events: ReadonlyArray<{ _id?: string }>): boolean {
  const ids = events.flatMap((e) => (e._id === undefined ? [] : [e._id]));
  return new Set(ids).size === ids.length;
}

/** A webhook body: Radar's "Single Event" or "Multiple Events" delivery. */
export const RadarPayload = z
  .looseObject({
    event: z.optional(RadarEvent),
    events: z.optional(
      z.array(RadarEvent).check(z.minLength(1), z.maxLength(MAX_EVENTS_PER_BODY), z.refine(hasUniqueIds, "two events share the same _id")),
    ),
    user: z.optional(z.looseObject({})),
  })
  .check(z.refine((body) => (body.event === undefined) !== (body.events === undefined), 'exactly one of "event" or "events" is required'));

export type RadarEvent = z.infer<typeof RadarEvent>;
export type RadarPayload = z.infer<typeof RadarPayload>;
