import type { DataFile, TableMessage } from "../../../contract/table-message";

/**
 * Registers written Parquet files with the table: one small message on the table queue, which
 * the single committer turns into a snapshot. Once this resolves the registration is durable,
 * so the caller may ack the data's own messages; if it throws, the caller retries them.
 */
export async function registerFiles(queue: Pick<Queue, "send">, files: DataFile[], nowMs = Date.now()): Promise<void> {
  const message: TableMessage = { v: 1, kind: "append", files, writtenAtMs: nowMs };
  await queue.send(message, { contentType: "json" });
}

/** Sends a compaction's overwrite; its change record (keys.ts tableChangeKey) must already be stored. */
export async function registerOverwrite(queue: Pick<Queue, "send">, jobId: string, partition: string, nowMs = Date.now()): Promise<void> {
  const message: TableMessage = { v: 1, kind: "overwrite", jobId, partition, writtenAtMs: nowMs };
  await queue.send(message, { contentType: "json" });
}
