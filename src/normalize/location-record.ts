import * as z from "zod/mini";

export const LAKE_SCHEMA_VERSION = "1";

const text = z.nullable(z.string());
const epochMs = z.int();
const maybeMs = z.nullable(epochMs);
const real = z.nullable(z.number());
const flag = z.nullable(z.boolean());

/**
 * One lake row. Timestamps are epoch milliseconds (UTC); the Parquet writer
 * stores them as INT64 TIMESTAMP(MILLIS, UTC). Column order here is file order.
 */
export const LocationRecord = z.object({
  id: z.string(),
  created_at: epochMs,
  created_at_ms: epochMs,
  actual_created_at: maybeMs,
  received_at: epochMs,
  event_type: z.string(),
  live: flag,
  replayed: flag,
  source: z.string(),
  user_id: text,
  external_user_id: text,
  device_id: text,
  mm_user_id: text,
  latitude: real,
  longitude: real,
  accuracy_m: real,
  confidence: z.nullable(z.int()),
  trip_id: text,
  trip_external_id: text,
  trip_status: text,
  trip_created_at: maybeMs,
  trip_updated_at: maybeMs,
  trip_started_at: maybeMs,
  trip_mm_user_id: text,
  route_session_type: text,
  route_session_id: text,
  trip_metadata_json: text,
  geofence_id: text,
  geofence_external_id: text,
  geofence_tag: text,
  geofence_description: text,
  process_timestamp: epochMs,
  process_hour: epochMs,
});

export type LocationRecord = z.infer<typeof LocationRecord>;
export type LocationColumn = keyof LocationRecord;
export const LOCATION_COLUMNS = Object.keys(LocationRecord.shape) as LocationColumn[];
