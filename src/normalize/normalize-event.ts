import type { IngestMessage } from "../contract/ingest-message";
import type { LocationRecord } from "./location-record";
import {
  asObject, readBoolean, readInteger, readNumber, readPoint, readString, readTimestamp, toJsonText, type Json,
} from "./read-field";

const HOUR_MS = 3_600_000;

/** The trip lives in `event.trip`, else `event.user.trip`, else the body's `user.trip`. */
function findTrip(event: Json, eventUser: Json | null, topUser: Json | null): Json | null {
  return asObject(event.trip) ?? asObject(eventUser?.trip) ?? asObject(topUser?.trip);
}

/**
 * Flattens one queued envelope into one lake row. Pure: the processing time is
 * passed in. Odd shapes give nulls; only the envelope's validated fields are trusted.
 * One object literal in column order keeps every row the same shape (fast to encode).
 */
export function normalizeEvent(message: IngestMessage, processedAtMs: number): LocationRecord {
  const event = message.event as Json;
  const topUser = asObject(message.user);
  const eventUser = asObject(event.user);
  const user = eventUser ?? topUser;
  const trip = findTrip(event, eventUser, topUser);
  const tripMetadata = asObject(trip?.metadata);
  const geofence = asObject(event.geofence);
  const point = readPoint(event.location);
  const receivedAt = readTimestamp(message.receivedAt) ?? processedAtMs;
  const createdAt = readTimestamp(event.createdAt) ?? receivedAt;
  return {
    id: message.id,
    created_at: createdAt,
    created_at_ms: createdAt,
    actual_created_at: readTimestamp(event.actualCreatedAt),
    received_at: receivedAt,
    event_type: readString(event.type) ?? "unknown",
    live: readBoolean(event.live),
    replayed: readBoolean(event.replayed),
    source: message.source,
    user_id: readString(user?._id),
    external_user_id: readString(user?.userId),
    device_id: readString(user?.deviceId),
    mm_user_id: readString(user?.MMUserId),
    latitude: point.latitude,
    longitude: point.longitude,
    accuracy_m: readNumber(event.locationAccuracy),
    confidence: readInteger(event.confidence),
    trip_id: readString(trip?._id),
    trip_external_id: readString(trip?.externalId),
    trip_status: readString(trip?.status),
    trip_created_at: readTimestamp(trip?.createdAt),
    trip_updated_at: readTimestamp(trip?.updatedAt),
    trip_started_at: readTimestamp(trip?.startedAt),
    trip_mm_user_id: readString(trip?.MMUserId),
    route_session_type: readString(tripMetadata?.route_session_type),
    route_session_id: readString(tripMetadata?.route_session_id),
    trip_metadata_json: toJsonText(tripMetadata),
    geofence_id: readString(geofence?._id),
    geofence_external_id: readString(geofence?.externalId),
    geofence_tag: readString(geofence?.tag),
    geofence_description: readString(geofence?.description),
    process_timestamp: processedAtMs,
    process_hour: Math.floor(processedAtMs / HOUR_MS) * HOUR_MS,
  };
}
