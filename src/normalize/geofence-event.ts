import type { GeofenceEvent } from "../contract/geofence-event";
import type { LocationRecord } from "./location-record";

/** Kinesis allows 256 characters; counting UTF-16 units stays within it however it counts. */
export const MAX_PARTITION_KEY = 256;

/** Projects a lake row onto the compact geofence event sent to Kinesis. */
export function toGeofenceEvent(r: LocationRecord): GeofenceEvent {
  return {
    id: r.id,
    event_type: r.event_type,
    created_at: new Date(r.created_at).toISOString(),
    user_id: r.user_id,
    external_user_id: r.external_user_id,
    mm_user_id: r.mm_user_id,
    trip_id: r.trip_id,
    trip_external_id: r.trip_external_id,
    route_session_id: r.route_session_id,
    geofence_id: r.geofence_id,
    geofence_external_id: r.geofence_external_id,
    geofence_tag: r.geofence_tag,
    geofence_description: r.geofence_description,
    latitude: r.latitude,
    longitude: r.longitude,
    accuracy_m: r.accuracy_m,
    live: r.live,
    replayed: r.replayed,
  };
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * At most `limit` UTF-16 units, cut on a code-point boundary, with any lone surrogate (valid in
 * JSON, invalid for Kinesis) replaced by U+FFFD so the key is well-formed UTF-8.
 */
export function truncateWellFormed(value: string, limit: number): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const pair = isHigh(unit) && i + 1 < value.length && isLow(value.charCodeAt(i + 1));
    const piece = pair ? value.slice(i, i + 2) : isHigh(unit) || isLow(unit) ? "\uFFFD" : value[i]!;
    if (out.length + piece.length > limit) break;
    out += piece;
    if (pair) i++;
  }
  return out;
}

/** The driver keeps one shard (ordered events); fall back to the device, then the event. */
export function partitionKeyOf(r: LocationRecord): string {
  return truncateWellFormed(r.user_id ?? r.device_id ?? r.id, MAX_PARTITION_KEY);
}
