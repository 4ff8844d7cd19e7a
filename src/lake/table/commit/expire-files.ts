import { TableChangeRecord } from "../../../contract/table-message";
import { deleteKeys, readJson } from "../../bucket-io";
import { parseObjectUri, tableChangeKey } from "../../keys";
import type { Snapshot, TableMetadata } from "../format";
import { readManifestList } from "../format/manifests";


/** Lowest sequence number among a table's snapshots (Infinity for none). */
const oldest = (metadata: TableMetadata) => Math.min(...(metadata.snapshots ?? []).map((s) => s["sequence-number"]));

/**
 * After a commit: deletes the objects no retained snapshot references any more. Snapshots are
 * expired oldest first (commit-change.ts), so once an overwrite snapshot C is the oldest retained
 * one (or expired itself), no retained snapshot predates it, and the files its compaction
 * removed are referenced by none (a removed key is never added again: pending-change.ts). This
 * commit makes that true for the snapshots between the old and the new oldest. Manifest lists
 * of expired snapshots go too, with the manifests no retained snapshot lists. Returns the data keys deleted. Not run for a commit whose answer
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
  await deleteKeys(bucket, await unreferencedMetadata(bucket, expired, after.snapshots ?? []));
  return deleted;
}

/** Manifest lists of expired snapshots, and the manifests only they listed. */
async function unreferencedMetadata(bucket: R2Bucket, expired: Snapshot[], retained: Snapshot[]): Promise<string[]> {
  if (!expired.length) return [];
  const manifestsOf = async (snapshots: Snapshot[]) => {
    const paths = new Set<string>();
    for (const s of snapshots) for (const m of await readManifestList(bucket, s["manifest-list"]).catch(() => [])) paths.add(m.manifest_path);
    return paths;
  };
  const kept = await manifestsOf(retained);
  const orphans = [...(await manifestsOf(expired))].filter((path) => !kept.has(path));
  return [...expired.map((s) => s["manifest-list"]), ...orphans].map((uri) => parseObjectUri(uri).key);
}
