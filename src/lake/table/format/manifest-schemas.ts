import { optional, type AvroRecord, type AvroType } from "./avro-schema";
import { PARTITION_FIELD_ID, PARTITION_FIELD_NAME } from "./table-schema";

/**
 * Avro writer schemas of Iceberg v2 manifests and manifest lists (format/spec.md, "Manifests",
 * "Manifest Lists"), every field with its reserved field id. Names follow Iceberg's Java writer
 * (r2, r102, k126_v127…), which readers resolve by field id or name.
 */
const boundsMap = (name: string, keyId: number, valueId: number): AvroType =>
  optional({
    type: "array",
    logicalType: "map",
    items: {
      type: "record",
      name,
      fields: [
        { name: "key", type: "int", "field-id": keyId },
        { name: "value", type: "bytes", "field-id": valueId },
      ],
    },
  });

/** hour(created_at) as the partition tuple: hours since the epoch, an int. */
const PARTITION: AvroRecord = {
  type: "record",
  name: "r102",
  fields: [{ name: PARTITION_FIELD_NAME, type: optional("int"), "field-id": PARTITION_FIELD_ID, default: null }],
};

const DATA_FILE: AvroRecord = {
  type: "record",
  name: "r2",
  fields: [
    { name: "content", type: "int", "field-id": 134, doc: "0: data" },
    { name: "file_path", type: "string", "field-id": 100 },
    { name: "file_format", type: "string", "field-id": 101 },
    { name: "partition", type: PARTITION, "field-id": 102 },
    { name: "record_count", type: "long", "field-id": 103 },
    { name: "file_size_in_bytes", type: "long", "field-id": 104 },
    { name: "lower_bounds", type: boundsMap("k126_v127", 126, 127), "field-id": 125, default: null },
    { name: "upper_bounds", type: boundsMap("k129_v130", 129, 130), "field-id": 128, default: null },
    { name: "sort_order_id", type: optional("int"), "field-id": 140, default: null },
  ],
};

export const MANIFEST_ENTRY: AvroRecord = {
  type: "record",
  name: "manifest_entry",
  fields: [
    { name: "status", type: "int", "field-id": 0, doc: "0 existing, 1 added, 2 deleted" },
    { name: "snapshot_id", type: optional("long"), "field-id": 1, default: null },
    { name: "sequence_number", type: optional("long"), "field-id": 3, default: null },
    { name: "file_sequence_number", type: optional("long"), "field-id": 4, default: null },
    { name: "data_file", type: DATA_FILE, "field-id": 2 },
  ],
};

const FIELD_SUMMARY: AvroRecord = {
  type: "record",
  name: "r508",
  fields: [
    { name: "contains_null", type: "boolean", "field-id": 509 },
    { name: "contains_nan", type: optional("boolean"), "field-id": 518, default: null },
    { name: "lower_bound", type: optional("bytes"), "field-id": 510, default: null },
    { name: "upper_bound", type: optional("bytes"), "field-id": 511, default: null },
  ],
};

export const MANIFEST_FILE: AvroRecord = {
  type: "record",
  name: "manifest_file",
  fields: [
    { name: "manifest_path", type: "string", "field-id": 500 },
    { name: "manifest_length", type: "long", "field-id": 501 },
    { name: "partition_spec_id", type: "int", "field-id": 502 },
    { name: "content", type: "int", "field-id": 517 },
    { name: "sequence_number", type: "long", "field-id": 515 },
    { name: "min_sequence_number", type: "long", "field-id": 516 },
    { name: "added_snapshot_id", type: "long", "field-id": 503 },
    { name: "added_files_count", type: "int", "field-id": 504 },
    { name: "existing_files_count", type: "int", "field-id": 505 },
    { name: "deleted_files_count", type: "int", "field-id": 506 },
    { name: "added_rows_count", type: "long", "field-id": 512 },
    { name: "existing_rows_count", type: "long", "field-id": 513 },
    { name: "deleted_rows_count", type: "long", "field-id": 514 },
    { name: "partitions", type: optional({ type: "array", "element-id": 508, items: FIELD_SUMMARY }), "field-id": 507, default: null },
  ],
};

/** Entry status (field 0). */
export const Status = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;

export interface DataFileRecord {
  content: number;
  file_path: string;
  file_format: string;
  partition: { [PARTITION_FIELD_NAME]: number | null };
  record_count: number;
  file_size_in_bytes: number;
  lower_bounds: { key: number; value: Uint8Array }[] | null;
  upper_bounds: { key: number; value: Uint8Array }[] | null;
  sort_order_id: number | null;
}

export interface ManifestEntry {
  status: number;
  /** Null only on ADDED entries: inherited from the manifest list's added_snapshot_id. */
  snapshot_id: number | null;
  /** Null only on ADDED entries: inherited from the manifest list's sequence_number. */
  sequence_number: number | null;
  file_sequence_number: number | null;
  data_file: DataFileRecord;
}

export interface ManifestFile {
  manifest_path: string;
  manifest_length: number;
  partition_spec_id: number;
  content: number;
  sequence_number: number;
  min_sequence_number: number;
  added_snapshot_id: number;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: number;
  existing_rows_count: number;
  deleted_rows_count: number;
  partitions: { contains_null: boolean; contains_nan: boolean | null; lower_bound: Uint8Array | null; upper_bound: Uint8Array | null }[] | null;
}
