import { IngestMessage } from "../contract/ingest-message";
import { errorMessage, toIssues } from "../errors";
import { normalizeEvent } from "../normalize";
import { hourPartition } from "../lake/keys";
import { quarantineMessage, writeHourGroup, type HourGroup } from "../lake/batch/batch-files";
import { registerFiles } from "../lake/table/commit/register-files";
import { recordMetric } from "../metrics";
import { backoffSeconds } from "./backoff";

type QueueMessage = Message<unknown>;

interface PlannedGroup extends HourGroup {
  messages: QueueMessage[];
}

async function quarantine(bucket: R2Bucket, message: QueueMessage, queue: string, reason: string, nowMs: number) {
  try {
    const key = await quarantineMessage(bucket, message.body, { queue, messageId: message.id, attempts: message.attempts, reason }, nowMs);
    console.warn(JSON.stringify({ msg: "message quarantined", messageId: message.id, key, reason }));
    message.ack();
  } catch (err) {
    console.error(JSON.stringify({ msg: "quarantine write failed", messageId: message.id, error: errorMessage(err) }));
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}

/** normalizeEvent must not throw; if it ever does, the message is poison, not a batch failure. */
function safeNormalize(message: IngestMessage, nowMs: number) {
  try {
    return normalizeEvent(message, nowMs);
  } catch (err) {
    return `normalize failed: ${errorMessage(err)}`;
  }
}

/** Validates, normalizes, de-duplicates by id and groups by the event's UTC hour. */
function planGroups(messages: readonly QueueMessage[], nowMs: number, poison: (m: QueueMessage, reason: string) => void): PlannedGroup[] {
  const groups = new Map<string, PlannedGroup>();
  const byId = new Map<string, PlannedGroup>();
  for (const message of messages) {
    const parsed = IngestMessage.safeParse(message.body);
    if (!parsed.success) {
      poison(message, toIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join("; "));
      continue;
    }
    const seen = byId.get(parsed.data.id);
    if (seen) {
      // Duplicate id in this batch: its row is already planned; ack it with that group.
      seen.messages.push(message);
      seen.rawBodies.push(message.body);
      continue;
    }
    const record = safeNormalize(parsed.data, nowMs);
    if (typeof record === "string") {
      poison(message, record);
      continue;
    }
    const partition = hourPartition(record.created_at);
    let group = groups.get(partition);
    if (!group) groups.set(partition, (group = { partition, records: [], rawBodies: [], messages: [] }));
    group.records.push(record);
    group.rawBodies.push(message.body);
    group.messages.push(message);
    byId.set(record.id, group);
  }
  return [...groups.values()];
}

/** Batch metric: rows written, objects, write latency and event lag (processing − created_at). */
function recordBatch(env: Env, queue: string, groups: PlannedGroup[], written: boolean[], quarantined: number, nowMs: number) {
  const ok = groups.filter((_, i) => written[i]);
  const rows = ok.flatMap((g) => g.records);
  const lags = rows.map((r) => (nowMs - r.created_at) / 1000);
  const retried = groups.filter((_, i) => !written[i]).reduce((n, g) => n + g.messages.length, 0);
  const messages = groups.reduce((n, g) => n + g.messages.length, 0) + quarantined;
  recordMetric(env.METRICS, {
    kind: "lake_batch",
    outcome: retried === 0 ? "ok" : ok.length ? "partial" : "failed",
    label: queue,
    count: rows.length,
    figures: [messages, ok.length * 2, Date.now() - nowMs, lags.length ? lags.reduce((a, b) => a + b, 0) / lags.length : 0, lags.length ? Math.max(...lags) : 0, retried, quarantined],
  });
}

/**
 * Lake writer: one Parquet object and one raw archive per hour in the batch.
 * A message is acked only once every object holding it is written; a failed
 * group's messages are retried with backoff, poison is quarantined and acked.
 */
export async function writeLakeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const nowMs = Date.now();
  const poison: Array<Promise<void>> = [];
  const groups = planGroups(batch.messages, nowMs, (m, reason) => poison.push(quarantine(env.LAKE_BUCKET, m, batch.queue, reason, nowMs)));
  // Registered with the table (enqueued for the committer) before any ack: a crash loses nothing.
  const write = async (g: PlannedGroup) => {
    const written = await writeHourGroup(env.LAKE_BUCKET, g, nowMs);
    await registerFiles(env.TABLE_QUEUE, [written.file]);
    return written.keys;
  };
  const results = await Promise.allSettled(groups.map(write));
  results.forEach((result, i) => {
    const group = groups[i]!;
    if (result.status === "fulfilled") {
      for (const m of group.messages) m.ack();
      console.log(JSON.stringify({ msg: "lake objects written", keys: result.value, rows: group.records.length, messages: group.messages.length }));
      return;
    }
    console.error(JSON.stringify({ msg: "lake write failed", partition: group.partition, messages: group.messages.length, error: errorMessage(result.reason) }));
    for (const m of group.messages) m.retry({ delaySeconds: backoffSeconds(m.attempts) });
  });
  await Promise.all(poison);
  recordBatch(env, batch.queue, groups, results.map((r) => r.status === "fulfilled"), poison.length, nowMs);
}
