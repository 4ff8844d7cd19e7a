import type { ColumnSpec } from "../../../sinks/parquet/column-spec";
import { LOCATION_PARQUET_COLUMNS } from "../../../sinks/lake-parquet";
import type { TableMetadata } from "./table-metadata";
import { buildPartitionSpec, buildSortOrder, buildTableSchema, lastColumnId, PARTITION_FIELD_ID } from "./table-schema";

export interface NewTable {
  /** `s3://<bucket>/<prefix>`: data, metadata files, manifests and lists live under it. */
  location: string;
  nowMs: number;
  tableUuid?: string;
  properties?: Record<string, string>;
  columns?: ColumnSpec[];
}

/** Table defaults: Parquet data, and the lake's own compaction (Basin Catalog's must stay off). */
export const DEFAULT_PROPERTIES: Record<string, string> = { "write.format.default": "parquet" };

/** Metadata of an empty v2 table (no snapshot yet) as the object-store catalog writes it first. */
export function newTableMetadata({ location, nowMs, tableUuid = crypto.randomUUID(), properties = {}, columns }: NewTable): TableMetadata {
  const schema = buildTableSchema(columns ?? LOCATION_PARQUET_COLUMNS);
  return {
    "format-version": 2,
    "table-uuid": tableUuid,
    location: location.replace(/\/+$/, ""),
    "last-sequence-number": 0,
    "last-updated-ms": nowMs,
    "last-column-id": lastColumnId(schema),
    "current-schema-id": schema["schema-id"],
    schemas: [schema],
    "default-spec-id": 0,
    "partition-specs": [buildPartitionSpec(schema)],
    "last-partition-id": PARTITION_FIELD_ID,
    "default-sort-order-id": buildSortOrder(schema)["order-id"],
    "sort-orders": [buildSortOrder(schema)],
    properties: { ...DEFAULT_PROPERTIES, ...properties },
    snapshots: [],
    "snapshot-log": [],
    "metadata-log": [],
    refs: {},
  };
}

/** The body of a REST createTable (CreateTableRequest) for the same table. */
export function createTableRequest(name: string, properties: Record<string, string> = {}, columns?: ColumnSpec[]) {
  const schema = buildTableSchema(columns ?? LOCATION_PARQUET_COLUMNS);
  return {
    name,
    schema,
    "partition-spec": buildPartitionSpec(schema),
    "write-order": buildSortOrder(schema),
    "stage-create": false,
    properties: { ...DEFAULT_PROPERTIES, ...properties },
  };
}
