import { CommitConflict, type TableRequirement, type TableUpdate } from "./table-changes";
import { findSnapshot, type TableMetadata } from "./table-metadata";
import { lastColumnId } from "./table-schema";

/** Throws CommitConflict unless `requirement` holds for `metadata` (the REST catalog's checks). */
function check(metadata: TableMetadata, requirement: TableRequirement): void {
  const fail = (detail: string) => {
    throw new CommitConflict(requirement, detail);
  };
  const expectEqual = (have: unknown, want: unknown) => have !== want && fail(`expected ${String(want)}, table has ${String(have)}`);
  switch (requirement.type) {
    case "assert-create":
      return fail("the table already exists");
    case "assert-table-uuid":
      return void expectEqual(metadata["table-uuid"], requirement.uuid);
    case "assert-ref-snapshot-id":
      return void expectEqual(metadata.refs?.[requirement.ref]?.["snapshot-id"] ?? null, requirement["snapshot-id"]);
    case "assert-last-assigned-field-id":
      return void expectEqual(metadata["last-column-id"], requirement["last-assigned-field-id"]);
    case "assert-current-schema-id":
      return void expectEqual(metadata["current-schema-id"], requirement["current-schema-id"]);
    case "assert-last-assigned-partition-id":
      return void expectEqual(metadata["last-partition-id"], requirement["last-assigned-partition-id"]);
    case "assert-default-spec-id":
      return void expectEqual(metadata["default-spec-id"], requirement["default-spec-id"]);
    case "assert-default-sort-order-id":
      return void expectEqual(metadata["default-sort-order-id"], requirement["default-sort-order-id"]);
  }
}

/** One update applied to a copy; `lastAdded` tracks the schema id `set-current-schema -1` means. */
function apply(m: TableMetadata, update: TableUpdate, state: { lastAdded?: number }): TableMetadata {
  switch (update.action) {
    case "add-snapshot": {
      const { snapshot } = update;
      if (m.snapshots?.some((s) => s["snapshot-id"] === snapshot["snapshot-id"])) throw new Error(`snapshot ${snapshot["snapshot-id"]} already exists`);
      if (snapshot["sequence-number"] <= m["last-sequence-number"]) {
        throw new Error(`snapshot sequence number ${snapshot["sequence-number"]} is not above the table's ${m["last-sequence-number"]}`);
      }
      return { ...m, snapshots: [...(m.snapshots ?? []), snapshot], "last-sequence-number": snapshot["sequence-number"], "last-updated-ms": snapshot["timestamp-ms"] };
    }
    case "set-snapshot-ref": {
      const { action: _, "ref-name": name, ...ref } = update;
      const snapshot = findSnapshot(m, ref["snapshot-id"])!;
      const next = { ...m, refs: { ...m.refs, [name]: ref } };
      if (name !== "main") return next;
      const log = [...(m["snapshot-log"] ?? []), { "timestamp-ms": snapshot["timestamp-ms"], "snapshot-id": ref["snapshot-id"] }];
      return { ...next, "current-snapshot-id": ref["snapshot-id"], "snapshot-log": log };
    }
    case "add-schema": {
      const same = m.schemas.find((s) => JSON.stringify(s.fields) === JSON.stringify(update.schema.fields));
      if (same) return (state.lastAdded = same["schema-id"]), m;
      const schemaId = Math.max(...m.schemas.map((s) => s["schema-id"])) + 1;
      state.lastAdded = schemaId;
      const lastId = Math.max(m["last-column-id"], update["last-column-id"] ?? 0, lastColumnId(update.schema));
      return { ...m, schemas: [...m.schemas, { ...update.schema, "schema-id": schemaId }], "last-column-id": lastId };
    }
    case "set-current-schema": {
      const id = update["schema-id"] === -1 ? state.lastAdded : update["schema-id"];
      if (id === undefined || !m.schemas.some((s) => s["schema-id"] === id)) throw new Error(`no schema ${update["schema-id"]} to make current`);
      return { ...m, "current-schema-id": id };
    }
    case "set-properties":
      return { ...m, properties: { ...m.properties, ...update.updates } };
    case "remove-properties":
      return { ...m, properties: Object.fromEntries(Object.entries(m.properties ?? {}).filter(([k]) => !update.removals.includes(k))) };
    case "remove-snapshots":
      return removeSnapshots(m, new Set(update["snapshot-ids"]));
    case "remove-snapshot-ref": {
      const { [update["ref-name"]]: _, ...refs } = m.refs ?? {};
      return { ...m, refs, ...(update["ref-name"] === "main" && { "current-snapshot-id": null }) };
    }
  }
}

/** Drops snapshots, their log entries, and refs that pointed at them (as Iceberg's Java catalog does). */
function removeSnapshots(m: TableMetadata, ids: Set<number>): TableMetadata {
  const refs = Object.fromEntries(Object.entries(m.refs ?? {}).filter(([, r]) => !ids.has(r["snapshot-id"])));
  const current = m["current-snapshot-id"];
  return {
    ...m,
    snapshots: (m.snapshots ?? []).filter((s) => !ids.has(s["snapshot-id"])),
    "snapshot-log": (m["snapshot-log"] ?? []).filter((e) => !ids.has(e["snapshot-id"])),
    refs,
    "current-snapshot-id": current !== null && current !== undefined && ids.has(current) ? null : current,
  };
}

/**
 * A commit with REST semantics: every requirement is checked against `metadata` first (a failure
 * throws CommitConflict and changes nothing), then the updates apply in order. Returns new
 * metadata; `metadata` is never mutated. An invalid update (unknown snapshot, stale sequence
 * number) throws a plain Error: the REST catalog answers those 400, not 409.
 */
export function applyTableUpdates(metadata: TableMetadata, requirements: TableRequirement[], updates: TableUpdate[], nowMs = Date.now()): TableMetadata {
  for (const requirement of requirements) check(metadata, requirement);
  const state: { lastAdded?: number } = {};
  const next = updates.reduce((m, update) => apply(m, update, state), metadata);
  return next === metadata ? metadata : { ...next, "last-updated-ms": Math.max(next["last-updated-ms"], nowMs) };
}
