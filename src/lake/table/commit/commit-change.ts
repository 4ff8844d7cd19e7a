import { asCatalogError, type Catalog, CatalogError, type LoadedTable } from "../catalog/catalog";
import { loadedLiveKeys, loadParentManifests, type SnapshotChange as TableChange, type TableMetadata, type TableUpdate, touchedHours, writeSnapshotFiles } from "../format";
import { deleteKeys } from "../../bucket-io";
import { type PendingChange, pendingKeys, removedKeys, resolveChange } from "./pending-change";
import type { TableConfig } from "./table-config";

export interface CommitDeps {
  bucket: R2Bucket;
  catalog: Catalog;
  config: TableConfig;
}

export type CommitOutcome =
  | { state: "committed"; before: TableMetadata; after: LoadedTable; change: TableChange; attempts: number }
  | { state: "already" | "nothing"; after: LoadedTable; attempts: number };

/** Conflicts are retried at once (another commit moved `main`); this many in one invocation, then later. */
const MAX_ATTEMPTS = 5;

/** Whether a retained snapshot already carries this batch's commit id (a commit whose answer was lost). */
export function findCommit(metadata: TableMetadata, commitId: string) {
  return (metadata.snapshots ?? []).find((s) => s.summary["milk.commit-id"] === commitId);
}

/**
 * Snapshots to expire in the same commit that adds a new one: oldest first, never the newest
 * `retainSnapshots - 1` (the new snapshot is the last one kept), only those older than the
 * maximum age. Expiring a prefix is what makes deleting files safe (expire-files.ts).
 */
export function snapshotsToExpire(metadata: TableMetadata, config: TableConfig, nowMs: number): number[] {
  const ordered = [...(metadata.snapshots ?? [])].sort((a, b) => a["sequence-number"] - b["sequence-number"]);
  const expirable = ordered.slice(0, Math.max(0, ordered.length - (config.retainSnapshots - 1)));
  const expired: number[] = [];
  for (const snapshot of expirable) {
    if (nowMs - snapshot["timestamp-ms"] < config.snapshotMaxAgeMs) break;
    expired.push(snapshot["snapshot-id"]);
  }
  return expired;
}

async function loadOrCreate(catalog: Catalog): Promise<LoadedTable> {
  return (await catalog.loadTable()) ?? (await catalog.createTable());
}

/**
 * One attempt: reload, resolve against what is live in the hours the batch touches (only the
 * manifests that may hold them are read, once), write the snapshot's files, commit.
 */
async function attempt(deps: CommitDeps, pending: PendingChange, table: LoadedTable, nowMs: number) {
  const { add, removeKeys } = pendingKeys(pending);
  const hours = touchedHours(add.map((f) => f.partition), [...add.map((f) => f.key), ...removeKeys]);
  const parent = await loadParentManifests(deps.bucket, table.metadata, hours);
  const partitions = [...add, ...removeKeys.map((key) => ({ partition: key.split("/").slice(1, 3).join("/") }))].map((f) => f.partition);
  const change = resolveChange(pending, await loadedLiveKeys(parent), await removedKeys(deps.bucket, partitions));
  if (!change) return null;
  const written = await writeSnapshotFiles(deps.bucket, table.metadata, change, nowMs, parent);
  if (!written) return null;
  const expire = snapshotsToExpire(table.metadata, deps.config, nowMs);
  const updates: TableUpdate[] = expire.length ? [...written.updates, { action: "remove-snapshots", "snapshot-ids": expire }] : written.updates;
  try {
    return { change, after: await deps.catalog.commitTable(written.requirements, updates) };
  } catch (err) {
    // A refused commit's manifests are orphans; a lost answer's may be live, so only conflicts clean up.
    if (asCatalogError(err).kind === "conflict") await deleteKeys(deps.bucket, written.writtenKeys).catch(() => undefined);
    throw err;
  }
}

/**
 * Commits a batch's change with optimistic concurrency (`assert-ref-snapshot-id` on main).
 * Every attempt starts from a reload: a conflict rebuilds against the new state, and an
 * earlier attempt whose answer was lost is found by its commit id (or its files are live
 * already), so no file is registered twice. Throws a CatalogError the caller retries later.
 */
export async function commitPending(deps: CommitDeps, pending: PendingChange, nowMs: number): Promise<CommitOutcome> {
  let lastError: CatalogError | undefined;
  for (let attempts = 1; attempts <= MAX_ATTEMPTS; attempts++) {
    const table = await loadOrCreate(deps.catalog).catch((err) => Promise.reject(asCatalogError(err)));
    if (findCommit(table.metadata, pending.commitId)) return { state: "already", after: table, attempts };
    try {
      const result = await attempt(deps, pending, table, nowMs);
      if (!result) return { state: "nothing", after: table, attempts };
      return { state: "committed", before: table.metadata, after: result.after, change: result.change, attempts };
    } catch (err) {
      lastError = asCatalogError(err);
      // A conflict is retried now; a retryable error without Retry-After once more (it may be a lost answer).
      if (lastError.kind === "fatal" || lastError.retryAfterSeconds !== undefined) throw lastError;
      if (lastError.kind === "retryable" && attempts >= 2) throw lastError;
    }
  }
  throw new CatalogError("retryable", `gave up after ${MAX_ATTEMPTS} attempts: ${lastError?.message}`);
}
