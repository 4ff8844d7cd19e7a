import * as z from "zod/mini";

const text = z.nullable(z.string());

/** The compact record each Kinesis entry carries as JSON `Data`. */
export const GeofenceEvent = z.object({
  id: z.string(),
  event_type: z.string(),
  created_at: z.iso.datetime(),
  user_id: text,
  external_user_id: text,
  mm_user_id: text,
  trip_id: text,
  trip_external_id: text,
  route_session_id: text,
  geofence_id: text,
  geofence_external_id: text,
  geofence_tag: text,
  geofence_description: text,
  latitude: z.nullable(z.number()),
  longitude: z.nullable(z.number()),
  accuracy_m: z.nullable(z.number()),
  live: z.nullable(z.boolean()),
  replayed: z.nullable(z.boolean()),
});

export type GeofenceEvent = z.infer<typeof GeofenceEvent>;
