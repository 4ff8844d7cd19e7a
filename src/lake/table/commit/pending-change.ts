import { TableChangeRecord, type DataFile, type TableMessage } from "../../../contract/table-message";
import { readJson } from "../../bucket-io";
import { tableChangeKey, tableChangesPrefix } from "../../keys";
import type { SnapshotChange as TableChange } from "../format";

/** What one batch of table messages asks for, before it is checked against the table. */
export interface PendingChange {
  /** Derived from the batch's message ids: found in a snapshot summary, it means "already committed". */
  commitId: string;
  /** Files the batch's appends register. */
  add: DataFile[];
  /** Change records of the batch's overwrites, one per compaction job, in batch order. */
  overwrites: TableChangeRecord[];
  /** Overwrite messages whose change record is missing (see table-consumer.ts). */
  missing: Extract<TableMessage, { kind: "overwrite" }>[];
}

/** Every file the batch could add and every key it could remove: what the commit must read. */
export function pendingKeys(pending: PendingChange) {
  return { add: [...pending.add, ...pending.overwrites.flatMap((r) => r.add)], removeKeys: pending.overwrites.flatMap((r) => r.removeKeys) };
}

async function commitIdOf(messageIds: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([...messageIds].sort().join("\n")));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function readChange(bucket: R2Bucket, partition: string, jobId: string): Promise<TableChangeRecord | null> {
  const record = await readJson<unknown>(bucket, tableChangeKey(partition, jobId));
  return record === null ? null : TableChangeRecord.parse(record);
}

/** Gathers every file the batch adds and every compaction it commits (one commit for all). */
export async function gatherChange(bucket: R2Bucket, messages: readonly TableMessage[], messageIds: readonly string[]): Promise<PendingChange> {
  const pending: PendingChange = { commitId: await commitIdOf(messageIds), add: [], overwrites: [], missing: [] };
  for (const message of messages) {
    if (message.kind === "append") {
      pending.add.push(...message.files);
      continue;
    }
    const record = await readChange(bucket, message.partition, message.jobId);
    if (!record) pending.missing.push(message);
    else if (!pending.overwrites.some((r) => r.jobId === record.jobId)) pending.overwrites.push(record);
  }
  return pending;
}

/**
 * Keys every recorded compaction of these hours removed, committed or not: their rows are in
 * that compaction's output, so such a file must never be added, whenever its append arrives.
 */
export async function removedKeys(bucket: R2Bucket, partitions: Iterable<string>): Promise<Set<string>> {
  const removed = new Set<string>();
  for (const partition of new Set(partitions)) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix: tableChangesPrefix(partition), cursor });
      for (const object of page.objects) {
        const record = await readJson<unknown>(bucket, object.key);
        if (record) for (const key of TableChangeRecord.parse(record).removeKeys) removed.add(key);
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return removed;
}

/**
 * A compaction whose output a newer compaction already replaced (two rebuilds back to back: the
 * second listed the first's files before the table committed them) is skipped whole. Its files
 * are never added, and removing what it replaced without adding anything would leave the hour
 * empty for readers until the newer overwrite is committed. The newer one listed every file this
 * one removes (none is deleted before a commit), so it removes them with its own files in one
 * snapshot. A skipped job stays out of `milk.jobs`: expire-files.ts deletes what those jobs removed.
 */
const notReplaced = (removed: ReadonlySet<string>) => (record: TableChangeRecord) => !record.add.some((f) => removed.has(f.key));

/**
 * The change against the table as it is: files already live or removed by a compaction are not
 * added (redelivery, lost answers, late appends), removals of files not live are dropped. Null
 * when nothing is left, which is how a repeated batch becomes a no-op.
 */
export function resolveChange(pending: PendingChange, live: ReadonlySet<string>, removed: ReadonlySet<string>): TableChange | null {
  const jobs = pending.overwrites.filter(notReplaced(removed));
  const add = new Map<string, DataFile>();
  for (const file of [...pending.add, ...jobs.flatMap((r) => r.add)]) if (!live.has(file.key) && !removed.has(file.key)) add.set(file.key, file);
  const removeKeys = [...new Set(jobs.flatMap((r) => r.removeKeys))].filter((key) => live.has(key));
  if (add.size === 0 && removeKeys.length === 0) return null;
  const partitions = [...new Set([...add.values()].map((f) => f.partition))].sort();
  const summary: Record<string, string> = { "milk.commit-id": pending.commitId, "milk.partitions": partitions.join(",") };
  if (jobs.length) Object.assign(summary, { "milk.jobs": jobs.map((r) => r.jobId).join(","), "milk.job-partitions": jobs.map((r) => r.partition).join(",") });
  return { operation: removeKeys.length || jobs.length ? "overwrite" : "append", add: [...add.values()], removeKeys, summary };
}
