import { TableChangeRecord, type DataFile, type TableMessage } from "../../../contract/table-message";
import { readJson } from "../../bucket-io";
import { tableChangeKey, tableChangesPrefix } from "../../keys";
import type { SnapshotChange as TableChange } from "../format";

/** What one batch of table messages asks for, before it is checked against the table. */
export interface PendingChange {
  /** Derived from the batch's message ids: found in a snapshot summary, it means "already committed". */
  commitId: string;
  add: DataFile[];
  removeKeys: string[];
  /** Compaction jobs whose overwrite this is (snapshot summary `milk.jobs`). */
  jobs: string[];
  /** The hour of each job, same order (`milk.job-partitions`): where its change record lives. */
  jobPartitions: string[];
  /** Overwrite messages whose change record is missing (see table-consumer.ts). */
  missing: Extract<TableMessage, { kind: "overwrite" }>[];
}

async function commitIdOf(messageIds: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([...messageIds].sort().join("\n")));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function readChange(bucket: R2Bucket, partition: string, jobId: string): Promise<TableChangeRecord | null> {
  const record = await readJson<unknown>(bucket, tableChangeKey(partition, jobId));
  return record === null ? null : TableChangeRecord.parse(record);
}

/** Gathers every file the batch adds and every key its overwrites remove (one commit for all). */
export async function gatherChange(bucket: R2Bucket, messages: readonly TableMessage[], messageIds: readonly string[]): Promise<PendingChange> {
  const pending: PendingChange = { commitId: await commitIdOf(messageIds), add: [], removeKeys: [], jobs: [], jobPartitions: [], missing: [] };
  for (const message of messages) {
    if (message.kind === "append") {
      pending.add.push(...message.files);
      continue;
    }
    const record = await readChange(bucket, message.partition, message.jobId);
    if (!record) {
      pending.missing.push(message);
      continue;
    }
    pending.add.push(...record.add);
    pending.removeKeys.push(...record.removeKeys);
    if (pending.jobs.includes(record.jobId)) continue;
    pending.jobs.push(record.jobId);
    pending.jobPartitions.push(record.partition);
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
 * The change against the table as it is: files already live or removed by a compaction are not
 * added (redelivery, lost answers, late appends), removals of files not live are dropped. Null
 * when nothing is left, which is how a repeated batch becomes a no-op.
 */
export function resolveChange(pending: PendingChange, live: ReadonlySet<string>, removed: ReadonlySet<string>): TableChange | null {
  const add = new Map<string, DataFile>();
  for (const file of pending.add) if (!live.has(file.key) && !removed.has(file.key)) add.set(file.key, file);
  const removeKeys = [...new Set(pending.removeKeys)].filter((key) => live.has(key));
  if (add.size === 0 && removeKeys.length === 0) return null;
  const partitions = [...new Set([...add.values()].map((f) => f.partition))].sort();
  const summary: Record<string, string> = { "milk.commit-id": pending.commitId, "milk.partitions": partitions.join(",") };
  if (pending.jobs.length) Object.assign(summary, { "milk.jobs": pending.jobs.join(","), "milk.job-partitions": pending.jobPartitions.join(",") });
  return { operation: removeKeys.length || pending.jobs.length ? "overwrite" : "append", add: [...add.values()], removeKeys, summary };
}
