export { normalizeEvent } from "./normalize-event";
export { partitionKeyOf, toGeofenceEvent } from "./geofence-event";
export { LOCATION_COLUMNS, LAKE_SCHEMA_VERSION, LocationRecord, type LocationColumn } from "./location-record";
