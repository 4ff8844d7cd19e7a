import { TableChangeRecord } from "../../../contract/table-message";
import { deleteKeys, readJson } from "../../bucket-io";
import { parseObjectUri, tableChangeKey } from "../../keys";
import type { Snapshot, TableMetadata } from "../format";


/** Lowest sequence number among a table's snapshots (Infinity for none). */
const oldest = (metadata: TableMetadata) => Math.min(...(metadata.snapshots ?? []).map((s) => s["sequence-number"]));

/**
 * After a commit: deletes the objects no retained snapshot references any more. Snapshots are
 * expired oldest first (commit-change.ts), so once an overwrite snapshot C is the oldest retained
 * one (or expired itself), no retained snapshot predates it, and the files its compaction
 * removed are referenced by none (a removed key is never added again: pending-change.ts). This
 * commit makes that true for the snapshots between the old and the new oldest. Manifest lists
 * of expired snapshots go too. Returns the data keys deleted. Not run for a commit whose answer
 * was lost: those few objects stay until an operator sweeps them (docs/operations.md).
 */
export async function deleteExpiredFiles(bucket: R2Bucket, before: TableMetadata | null, after: TableMetadata): Promise<string[]> {
  const kept = new Set((after.snapshots ?? []).map((s) => s["snapshot-id"]));
  const expired = (before?.snapshots ?? []).filter((s) => !kept.has(s["snapshot-id"]));
  const wasSafe = before?.snapshots?.length ? oldest(before) : -Infinity;
  const isSafe = oldest(after);
  const all = new Map<number, Snapshot>([...(before?.snapshots ?? []), ...(after.snapshots ?? [])].map((s) => [s["snapshot-id"], s]));
  const newlySafe = [...all.values()].filter((s) => s["sequence-number"] <= isSafe && s["sequence-number"] > wasSafe);
  const deleted: string[] = [];
  for (const snapshot of newlySafe) {
    const jobs = snapshot.summary["milk.jobs"]?.split(",").filter(Boolean) ?? [];
    const partitions = snapshot.summary["milk.job-partitions"]?.split(",") ?? [];
    for (const [i, jobId] of jobs.entries()) {
      const record = await readJson<unknown>(bucket, tableChangeKey(partitions[i] ?? "", jobId));
      if (record) deleted.push(...TableChangeRecord.parse(record).removeKeys);
    }
  }
  await deleteKeys(bucket, deleted);
  await deleteKeys(bucket, expired.map((s) => parseObjectUri(s["manifest-list"]).key));
  return deleted;
}
