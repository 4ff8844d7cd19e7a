import { z } from "zod";

/** Maximum events in one webhook body (Radar sends at most 5; we allow headroom). */
export const MAX_EVENTS_PER_BODY = 100;

const longitude = z.number().min(-180).max(180);
const latitude = z.number().min(-90).max(90);

/** GeoJSON Point, `[longitude, latitude]`, an optional altitude is tolerated. */
export const GeoPoint = z.looseObject({
  type: z.literal("Point"),
  coordinates: z.tuple([longitude, latitude], z.number()),
});

/** ISO-8601 date-time with a time part and a zone (`Z` or an offset). */
export const IsoDateTime = z.iso
  .datetime({ offset: true })
  .refine((value) => Number.isFinite(Date.parse(value)), "not a real date-time");

/**
 * One Radar event, validated tolerantly: only `type` and `createdAt` are required and
 * every field we do not check is kept verbatim (unknown types and keys included).
 */
export const RadarEvent = z.looseObject({
  _id: z.string().min(1).max(256).optional(),
  type: z.string().min(1).max(256),
  createdAt: IsoDateTime,
  location: GeoPoint.optional(),
});

const RadarUser = z.looseObject({});

/** A webhook body: Radar's "Single Event" or "Multiple Events" delivery. */
export const RadarPayload = z
  .looseObject({
    event: RadarEvent.optional(),
    events: z.array(RadarEvent).min(1).max(MAX_EVENTS_PER_BODY).optional(),
    user: RadarUser.optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.event === undefined) === (body.events === undefined)) {
      ctx.addIssue({ code: "custom", message: 'exactly one of "event" or "events" is required', path: [] });
    }
  });

export type RadarEvent = z.infer<typeof RadarEvent>;
export type RadarPayload = z.infer<typeof RadarPayload>;
