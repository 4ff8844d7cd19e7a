import * as z from "zod/mini";

/**
 * Iceberg v2 table metadata (apache/iceberg format/spec.md, "Table Metadata"), as JSON. Parsed
 * where it is input (a metadata file read back, a REST loadTable answer); loose objects keep
 * fields we do not model (statistics, encryption keys…) so a rewrite never drops them.
 */
export const SchemaField = z.looseObject({
  id: z.int(),
  name: z.string(),
  required: z.boolean(),
  /** A primitive type name; nested types (objects) are carried through, never produced by us. */
  type: z.union([z.string(), z.looseObject({ type: z.string() })]),
  doc: z.optional(z.string()),
});
export type SchemaField = z.infer<typeof SchemaField>;

export const TableSchema = z.looseObject({
  type: z.literal("struct"),
  "schema-id": z.int(),
  "identifier-field-ids": z.optional(z.array(z.int())),
  fields: z.array(SchemaField),
});
export type TableSchema = z.infer<typeof TableSchema>;

export const PartitionSpec = z.looseObject({
  "spec-id": z.int(),
  fields: z.array(z.looseObject({ "source-id": z.int(), "field-id": z.int(), name: z.string(), transform: z.string() })),
});
export type PartitionSpec = z.infer<typeof PartitionSpec>;

export const SortOrder = z.looseObject({
  "order-id": z.int(),
  fields: z.array(
    z.looseObject({
      transform: z.string(),
      "source-id": z.int(),
      direction: z.enum(["asc", "desc"]),
      "null-order": z.enum(["nulls-first", "nulls-last"]),
    }),
  ),
});
export type SortOrder = z.infer<typeof SortOrder>;

/** Snapshot ids are JSON numbers: ours stay below 2^53 (see newSnapshotId) so they survive JSON.parse. */
export const Snapshot = z.looseObject({
  "snapshot-id": z.number(),
  "parent-snapshot-id": z.optional(z.nullable(z.number())),
  "sequence-number": z.number(),
  "timestamp-ms": z.number(),
  "manifest-list": z.string(),
  summary: z.catchall(z.object({ operation: z.string() }), z.string()),
  "schema-id": z.optional(z.int()),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const SnapshotRef = z.looseObject({
  "snapshot-id": z.number(),
  type: z.enum(["branch", "tag"]),
  "max-ref-age-ms": z.optional(z.number()),
  "max-snapshot-age-ms": z.optional(z.number()),
  "min-snapshots-to-keep": z.optional(z.int()),
});
export type SnapshotRef = z.infer<typeof SnapshotRef>;

export const TableMetadata = z.looseObject({
  "format-version": z.literal(2),
  "table-uuid": z.string(),
  location: z.string(),
  "last-sequence-number": z.number(),
  "last-updated-ms": z.number(),
  "last-column-id": z.int(),
  "current-schema-id": z.int(),
  schemas: z.array(TableSchema),
  "default-spec-id": z.int(),
  "partition-specs": z.array(PartitionSpec),
  "last-partition-id": z.int(),
  "default-sort-order-id": z.int(),
  "sort-orders": z.array(SortOrder),
  properties: z.optional(z.record(z.string(), z.string())),
  /** Absent, null or -1 (older writers) when the table has no snapshot yet. */
  "current-snapshot-id": z.optional(z.nullable(z.number())),
  snapshots: z.optional(z.array(Snapshot)),
  "snapshot-log": z.optional(z.array(z.object({ "timestamp-ms": z.number(), "snapshot-id": z.number() }))),
  "metadata-log": z.optional(z.array(z.object({ "timestamp-ms": z.number(), "metadata-file": z.string() }))),
  refs: z.optional(z.record(z.string(), SnapshotRef)),
});
export type TableMetadata = z.infer<typeof TableMetadata>;

/** The snapshot `main` points at (or `snapshotId`), or null for an empty table. */
export function findSnapshot(metadata: TableMetadata, snapshotId?: number | null): Snapshot | null {
  const id = snapshotId ?? metadata.refs?.main?.["snapshot-id"] ?? metadata["current-snapshot-id"];
  if (id === undefined || id === null || id === -1) return null;
  const snapshot = metadata.snapshots?.find((s) => s["snapshot-id"] === id);
  if (!snapshot) throw new Error(`snapshot ${id} is not in the table metadata`);
  return snapshot;
}

export function currentSchema(metadata: TableMetadata): TableSchema {
  const schema = metadata.schemas.find((s) => s["schema-id"] === metadata["current-schema-id"]);
  if (!schema) throw new Error(`current schema ${metadata["current-schema-id"]} is not in the table metadata`);
  return schema;
}
