import { putJson, readJson } from "../../bucket-io";
import { dirtyPrefix, hourStatusKey, partitionEndMs } from "../../keys";
import type { SnapshotChange as TableChange } from "../format";

/**
 * `table-state/hours/dt=YYYY-MM-DD_hour=HH.json`, written by the committer: an hour is final
 * (for now) when `state` is "compacted" and `final_after` has passed; late data sets "reopened"
 * until the next compaction's overwrite is committed. No object: the hour was never compacted.
 */
export interface HourStatus {
  partition: string;
  state: "compacted" | "reopened";
  /** The hour's end plus the grace period, or the compaction's commit if later (ISO, UTC). */
  final_after: string;
  compacted_job: string;
  compacted_at: string;
  /** Files appended since that compaction (late data waiting for the next one). */
  late_files: number;
  snapshot_id: number;
  updated_at: string;
}

async function hasDirtyMarker(bucket: R2Bucket, partition: string) {
  return (await bucket.list({ prefix: dirtyPrefix(partition), limit: 1 })).objects.length > 0;
}

/** Records what a confirmed commit did to each hour it touched. */
export async function recordHourStatus(bucket: R2Bucket, change: TableChange, snapshotId: number, graceMs: number, nowMs: number): Promise<void> {
  const now = new Date(nowMs).toISOString();
  const jobs = change.summary["milk.jobs"]?.split(",") ?? [];
  const jobPartitions = change.summary["milk.job-partitions"]?.split(",") ?? [];
  const compacted = new Set(jobPartitions);
  for (const [i, partition] of jobPartitions.entries()) {
    // A marker the compaction did not see means late data is already waiting for the next one.
    const pending = await hasDirtyMarker(bucket, partition);
    const finalAfter = new Date(Math.max(partitionEndMs(partition) + graceMs, nowMs)).toISOString();
    const status: HourStatus = { partition, state: pending ? "reopened" : "compacted", final_after: finalAfter, compacted_job: jobs[i]!, compacted_at: now, late_files: 0, snapshot_id: snapshotId, updated_at: now };
    await putJson(bucket, hourStatusKey(partition), status);
  }
  const late = new Map<string, number>();
  for (const file of change.add) if (!compacted.has(file.partition)) late.set(file.partition, (late.get(file.partition) ?? 0) + 1);
  for (const [partition, files] of late) {
    const status = await readJson<HourStatus>(bucket, hourStatusKey(partition));
    if (!status) continue; // not compacted yet: the hour is still filling, no object to change
    await putJson(bucket, hourStatusKey(partition), { ...status, state: "reopened", late_files: status.late_files + files, snapshot_id: snapshotId, updated_at: now });
  }
}
