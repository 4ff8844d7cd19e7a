import type { GeofenceEvent } from "../contract/geofence-event";
import type { LocationRecord } from "./location-record";

const MAX_PARTITION_KEY = 256;

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

/** The driver keeps one shard (ordered events); fall back to the device, then the event. */
export function partitionKeyOf(r: LocationRecord): string {
  return (r.user_id ?? r.device_id ?? r.id).slice(0, MAX_PARTITION_KEY);
}
