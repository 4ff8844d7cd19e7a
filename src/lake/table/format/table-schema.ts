import { LOCATION_PARQUET_COLUMNS } from "../../../sinks/lake-parquet";
import type { ColumnKind, ColumnSpec } from "../../../sinks/parquet/column-spec";
import type { TableRequirement, TableUpdate } from "./table-changes";
import { currentSchema, type PartitionSpec, type SortOrder, type TableMetadata, type TableSchema } from "./table-metadata";

/**
 * Iceberg primitive per column kind, matching what the Parquet writer stores. Timestamps are
 * INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true): an instant, so `timestamptz`. Iceberg writers
 * store timestamptz as MICROS; MILLIS is a Parquet annotation readers convert (docs/parquet.md).
 */
const ICEBERG_TYPE: Record<ColumnKind, string> = {
  string: "string",
  timestamp_ms: "timestamptz",
  int64: "long",
  int32: "int",
  double: "double",
  boolean: "boolean",
};

export const PARTITION_SPEC_ID = 0;
export const PARTITION_FIELD_ID = 1000;
export const PARTITION_FIELD_NAME = "created_at_hour";
export const PARTITION_SOURCE = "created_at";
export const SORT_ORDER_ID = 1;

function fieldIdOf(column: ColumnSpec): number {
  if (column.fieldId === undefined) throw new Error(`column ${column.name} has no Iceberg field id`);
  return column.fieldId;
}

/** The table schema derived from the one column spec (ids from the spec, never positional). */
export function buildTableSchema(columns: ColumnSpec[] = LOCATION_PARQUET_COLUMNS, schemaId = 0): TableSchema {
  const fields = columns.map((c) => ({ id: fieldIdOf(c), name: c.name, required: c.required, type: ICEBERG_TYPE[c.kind] }));
  return { type: "struct", "schema-id": schemaId, fields };
}

function sourceId(schema: TableSchema, name: string): number {
  const field = schema.fields.find((f) => f.name === name);
  if (!field) throw new Error(`schema has no column ${name}`);
  return field.id;
}

/** hour(created_at): the event's UTC hour as hours since the epoch, the lake's `dt=/hour=` partition. */
export function buildPartitionSpec(schema: TableSchema = buildTableSchema()): PartitionSpec {
  const field = { "source-id": sourceId(schema, PARTITION_SOURCE), "field-id": PARTITION_FIELD_ID, name: PARTITION_FIELD_NAME, transform: "hour" };
  return { "spec-id": PARTITION_SPEC_ID, fields: [field] };
}

/** The lake's row order (lake-parquet.ts compareRecords): user_id (nulls last), created_at, id. */
export function buildSortOrder(schema: TableSchema = buildTableSchema()): SortOrder {
  const asc = (name: string, nulls: "nulls-first" | "nulls-last") => ({
    transform: "identity",
    "source-id": sourceId(schema, name),
    direction: "asc" as const,
    "null-order": nulls,
  });
  return { "order-id": SORT_ORDER_ID, fields: [asc("user_id", "nulls-last"), asc("created_at", "nulls-first"), asc("id", "nulls-first")] };
}

export const lastColumnId = (schema: TableSchema) => Math.max(0, ...schema.fields.map((f) => f.id));

/**
 * The commit that brings the table's schema up to the column spec: columns whose field id the
 * table lacks are appended (add-schema + set-current-schema). Null when nothing is new. Refuses
 * a changed name or type under an existing id, and a new REQUIRED column (v2 cannot fill old files).
 */
export function evolveSchema(
  metadata: TableMetadata,
  columns: ColumnSpec[] = LOCATION_PARQUET_COLUMNS,
): { requirements: TableRequirement[]; updates: TableUpdate[] } | null {
  const current = currentSchema(metadata);
  const wanted = buildTableSchema(columns).fields;
  const byId = new Map(current.fields.map((f) => [f.id, f]));
  for (const field of wanted) {
    const have = byId.get(field.id);
    if (have && (have.name !== field.name || have.type !== field.type)) {
      throw new Error(`field id ${field.id} is ${have.name}: ${JSON.stringify(have.type)} in the table, ${field.name}: ${field.type} in the spec`);
    }
  }
  const added = wanted.filter((f) => !byId.has(f.id));
  if (added.length === 0) return null;
  const required = added.find((f) => f.required);
  if (required) throw new Error(`new column ${required.name} must be nullable: files written before it cannot hold it`);
  const schemaId = Math.max(...metadata.schemas.map((s) => s["schema-id"])) + 1;
  const schema: TableSchema = { ...current, "schema-id": schemaId, fields: [...current.fields, ...added] };
  return {
    requirements: [{ type: "assert-current-schema-id", "current-schema-id": current["schema-id"] }],
    updates: [
      { action: "add-schema", schema, "last-column-id": Math.max(metadata["last-column-id"], lastColumnId(schema)) },
      { action: "set-current-schema", "schema-id": -1 },
    ],
  };
}
