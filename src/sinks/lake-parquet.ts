import { LOCATION_COLUMNS, LAKE_SCHEMA_VERSION, LocationRecord, type LocationColumn } from "../normalize";
import type { ColumnKind, ColumnSpec } from "./parquet/column-spec";
import { writeParquet } from "./parquet/write-parquet";

const KINDS: Record<LocationColumn, ColumnKind> = {
  id: "string", created_at: "timestamp_ms", created_at_ms: "int64", actual_created_at: "timestamp_ms",
  received_at: "timestamp_ms", event_type: "string", live: "boolean", replayed: "boolean", source: "string",
  user_id: "string", external_user_id: "string", device_id: "string", mm_user_id: "string",
  latitude: "double", longitude: "double", accuracy_m: "double", confidence: "int32",
  trip_id: "string", trip_external_id: "string", trip_status: "string", trip_created_at: "timestamp_ms",
  trip_updated_at: "timestamp_ms", trip_started_at: "timestamp_ms", trip_mm_user_id: "string",
  route_session_type: "string", route_session_id: "string", trip_metadata_json: "string",
  geofence_id: "string", geofence_external_id: "string", geofence_tag: "string", geofence_description: "string",
  process_timestamp: "timestamp_ms", process_hour: "timestamp_ms",
};

/** Column specs in file order; a column is REQUIRED exactly when the zod schema refuses null. */
export const LOCATION_PARQUET_COLUMNS: ColumnSpec[] = LOCATION_COLUMNS.map((name) => ({
  name,
  kind: KINDS[name],
  required: !LocationRecord.shape[name].safeParse(null).success,
}));

export const SORT_ORDER: LocationColumn[] = ["user_id", "created_at", "id"];

/** Sorts by driver then time (nulls last): long runs compress best and readers prune by driver. */
export function sortRecords(records: LocationRecord[]): LocationRecord[] {
  return [...records].sort((a, b) => {
    if (a.user_id !== b.user_id) {
      if (a.user_id === null) return 1;
      if (b.user_id === null) return -1;
      return a.user_id < b.user_id ? -1 : 1;
    }
    return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** Encodes already-sorted records as one Parquet file. */
export function encodeLocationParquet(sorted: LocationRecord[]): Uint8Array {
  return writeParquet({
    columns: LOCATION_PARQUET_COLUMNS,
    data: LOCATION_PARQUET_COLUMNS.map((c) => sorted.map((r) => r[c.name as LocationColumn])),
    sortedBy: SORT_ORDER,
    metadata: { "lake.schema_version": LAKE_SCHEMA_VERSION },
  });
}
