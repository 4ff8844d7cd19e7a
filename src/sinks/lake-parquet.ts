import { LOCATION_COLUMNS, LAKE_SCHEMA_VERSION, LocationRecord, type LocationColumn } from "../normalize";
import type { ColumnKind, ColumnSpec, ColumnValue } from "./parquet/column-spec";
import { compareCodeUnits, compareUtf8 } from "./parquet/compare-utf8";
import { createParquetWriter, writeParquet, type ParquetStreamWriter } from "./parquet/write-parquet";

/** [Iceberg field id, kind, value]. A field id is forever: never renumber or reuse one; a new column takes the next unused id. */
type Column = readonly [number, ColumnKind, (r: LocationRecord) => ColumnValue];

// Static property reads per column: much faster than r[name] over 100k rows of mixed shapes.
const COLUMNS: Record<LocationColumn, Column> = {
  id: [1, "string", (r) => r.id],
  created_at: [2, "timestamp_ms", (r) => r.created_at],
  created_at_ms: [3, "int64", (r) => r.created_at_ms],
  actual_created_at: [4, "timestamp_ms", (r) => r.actual_created_at],
  received_at: [5, "timestamp_ms", (r) => r.received_at],
  event_type: [6, "string", (r) => r.event_type],
  live: [7, "boolean", (r) => r.live],
  replayed: [8, "boolean", (r) => r.replayed],
  source: [9, "string", (r) => r.source],
  user_id: [10, "string", (r) => r.user_id],
  external_user_id: [11, "string", (r) => r.external_user_id],
  device_id: [12, "string", (r) => r.device_id],
  mm_user_id: [13, "string", (r) => r.mm_user_id],
  latitude: [14, "double", (r) => r.latitude],
  longitude: [15, "double", (r) => r.longitude],
  accuracy_m: [16, "double", (r) => r.accuracy_m],
  confidence: [17, "int32", (r) => r.confidence],
  trip_id: [18, "string", (r) => r.trip_id],
  trip_external_id: [19, "string", (r) => r.trip_external_id],
  trip_status: [20, "string", (r) => r.trip_status],
  trip_created_at: [21, "timestamp_ms", (r) => r.trip_created_at],
  trip_updated_at: [22, "timestamp_ms", (r) => r.trip_updated_at],
  trip_started_at: [23, "timestamp_ms", (r) => r.trip_started_at],
  trip_mm_user_id: [24, "string", (r) => r.trip_mm_user_id],
  route_session_type: [25, "string", (r) => r.route_session_type],
  route_session_id: [26, "string", (r) => r.route_session_id],
  trip_metadata_json: [27, "string", (r) => r.trip_metadata_json],
  geofence_id: [28, "string", (r) => r.geofence_id],
  geofence_external_id: [29, "string", (r) => r.geofence_external_id],
  geofence_tag: [30, "string", (r) => r.geofence_tag],
  geofence_description: [31, "string", (r) => r.geofence_description],
  process_timestamp: [32, "timestamp_ms", (r) => r.process_timestamp],
  process_hour: [33, "timestamp_ms", (r) => r.process_hour],
};

/** Column specs in file order; a column is REQUIRED exactly when the zod schema refuses null. */
export const LOCATION_PARQUET_COLUMNS: ColumnSpec[] = LOCATION_COLUMNS.map((name) => ({
  name,
  fieldId: COLUMNS[name][0],
  kind: COLUMNS[name][1],
  required: !LocationRecord.shape[name].safeParse(null).success,
}));

export const SORT_ORDER: LocationColumn[] = ["user_id", "created_at", "id"];

/** The columns that order the lake: enough to place a row (compaction's tombstones carry only these). */
export type SortKey = Pick<LocationRecord, "user_id" | "created_at" | "id">;

/**
 * The lake's row order (driver, then time, then id; null drivers last), strings in UTF-8 byte
 * order as stored. Two strings that differ only in lone surrogates store the same bytes (both
 * become U+FFFD), so code units break that tie last: 0 means the same driver, time and id, which
 * the compaction merge relies on to drop exactly the copies a tombstone names.
 */
export function compareRecords(a: SortKey, b: SortKey): number {
  if (a.user_id !== b.user_id) {
    if (a.user_id === null) return 1;
    if (b.user_id === null) return -1;
    const byUser = compareUtf8(a.user_id, b.user_id);
    if (byUser !== 0) return byUser;
  }
  return (
    a.created_at - b.created_at ||
    compareUtf8(a.id, b.id) ||
    compareCodeUnits(a.user_id ?? "", b.user_id ?? "") ||
    compareCodeUnits(a.id, b.id)
  );
}

/** Sorts by driver then time: long runs compress best and readers prune by driver. */
export function sortRecords(records: LocationRecord[]): LocationRecord[] {
  return [...records].sort(compareRecords);
}

/** Column-major values of already-sorted records, in file column order. */
export function toColumns(sorted: LocationRecord[]): ColumnValue[][] {
  return LOCATION_COLUMNS.map((name) => sorted.map(COLUMNS[name][2]));
}

const LOCATION_FILE = { columns: LOCATION_PARQUET_COLUMNS, sortedBy: SORT_ORDER, metadata: { "lake.schema_version": LAKE_SCHEMA_VERSION } };

/** Encodes already-sorted records as one Parquet file in memory. */
export function encodeLocationParquet(sorted: LocationRecord[]): Promise<Uint8Array> {
  return writeParquet({ ...LOCATION_FILE, data: toColumns(sorted) });
}

/** A streaming writer for lake files: feed `toColumns(sortedChunk)` row group by row group. */
export function createLocationParquetWriter(): ParquetStreamWriter {
  return createParquetWriter(LOCATION_FILE);
}

/** Earliest and latest `created_at` as ISO strings (a loop: rebuilds hold too many rows to spread). */
export function createdAtRange(records: LocationRecord[]): { min_created_at: string; max_created_at: string } {
  let min = Infinity;
  let max = -Infinity;
  for (const r of records) {
    if (r.created_at < min) min = r.created_at;
    if (r.created_at > max) max = r.created_at;
  }
  return { min_created_at: new Date(min).toISOString(), max_created_at: new Date(max).toISOString() };
}
