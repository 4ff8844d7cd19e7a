import * as z from "zod/mini";
import { Snapshot, SnapshotRef, TableSchema } from "./table-metadata";

/**
 * The commit vocabulary of the Iceberg REST catalog (open-api/rest-catalog-open-api.yaml:
 * TableRequirement, TableUpdate): what a commit checks and what it changes. One contract for the
 * object-store catalog, the REST adapter and the REST test double.
 */
export const TableRequirement = z.discriminatedUnion("type", [
  z.object({ type: z.literal("assert-create") }),
  z.object({ type: z.literal("assert-table-uuid"), uuid: z.string() }),
  /** snapshot-id null: the ref must not exist yet (first commit to main). */
  z.object({ type: z.literal("assert-ref-snapshot-id"), ref: z.string(), "snapshot-id": z.nullable(z.number()) }),
  z.object({ type: z.literal("assert-last-assigned-field-id"), "last-assigned-field-id": z.int() }),
  z.object({ type: z.literal("assert-current-schema-id"), "current-schema-id": z.int() }),
  z.object({ type: z.literal("assert-last-assigned-partition-id"), "last-assigned-partition-id": z.int() }),
  z.object({ type: z.literal("assert-default-spec-id"), "default-spec-id": z.int() }),
  z.object({ type: z.literal("assert-default-sort-order-id"), "default-sort-order-id": z.int() }),
]);
export type TableRequirement = z.infer<typeof TableRequirement>;

export const TableUpdate = z.discriminatedUnion("action", [
  z.object({ action: z.literal("add-snapshot"), snapshot: Snapshot }),
  z.extend(SnapshotRef, { action: z.literal("set-snapshot-ref"), "ref-name": z.string() }),
  z.object({ action: z.literal("add-schema"), schema: TableSchema, "last-column-id": z.optional(z.int()) }),
  /** schema-id -1: the schema added last in the same commit. */
  z.object({ action: z.literal("set-current-schema"), "schema-id": z.int() }),
  z.object({ action: z.literal("set-properties"), updates: z.record(z.string(), z.string()) }),
  z.object({ action: z.literal("remove-properties"), removals: z.array(z.string()) }),
  z.object({ action: z.literal("remove-snapshots"), "snapshot-ids": z.array(z.number()) }),
  z.object({ action: z.literal("remove-snapshot-ref"), "ref-name": z.string() }),
]);
export type TableUpdate = z.infer<typeof TableUpdate>;

/** A failed requirement: the table moved since it was loaded. Reload, rebuild, retry (REST 409). */
export class CommitConflict extends Error {
  override name = "CommitConflict";
  constructor(
    readonly requirement: TableRequirement,
    detail: string,
  ) {
    super(`commit conflict: ${requirement.type} failed: ${detail}`);
  }
}
