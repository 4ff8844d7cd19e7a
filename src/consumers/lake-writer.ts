import type { IngestMessage } from "../contract/ingest-message";
import { readQueueMessage, type Poison } from "../contract/packed-message";
import { errorMessage } from "../errors";
import { normalizeEvent } from "../normalize";
import { hourPartition } from "../lake/keys";
import { quarantineMessage, writeHourGroup, type HourGroup } from "../lake/batch/batch-files";
import { capLogField } from "../log-field";
import { registerFiles } from "../lake/table/commit/register-files";
import { recordMetric } from "../metrics";
import { backoffSeconds } from "./backoff";

type QueueMessage = Message<unknown>;

interface PlannedGroup extends HourGroup {
  /** Queue messages holding any envelope of the group (a packed message may span several groups). */
  messages: Set<QueueMessage>;
}

/** Stores one poison envelope (or a whole unreadable message) for inspection; false if that failed. */
async function quarantine(bucket: R2Bucket, message: QueueMessage, queue: string, poison: Poison, nowMs: number): Promise<boolean> {
  try {
    const key = await quarantineMessage(bucket, poison.body, { queue, messageId: message.id, attempts: message.attempts, reason: poison.reason }, nowMs);
    console.warn(JSON.stringify({ msg: "message quarantined", messageId: message.id, key, reason: capLogField(poison.reason) }));
    return true;
  } catch (err) {
    console.error(JSON.stringify({ msg: "quarantine write failed", messageId: message.id, error: errorMessage(err) }));
    return false;
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

type PoisonSink = (m: QueueMessage, poison: Poison) => void;

/** Normalizes one envelope into its hour group; duplicates of an id ride with the first copy's group. */
function planEnvelope(groups: Map<string, PlannedGroup>, byId: Map<string, PlannedGroup>, message: QueueMessage, envelope: IngestMessage, nowMs: number, poison: PoisonSink) {
  const seen = byId.get(envelope.id);
  if (seen) {
    // Duplicate id in this batch: its row is already planned; ack it with that group.
    seen.messages.add(message);
    seen.rawBodies.push(envelope);
    return;
  }
  const record = safeNormalize(envelope, nowMs);
  if (typeof record === "string") return poison(message, { body: envelope, reason: record });
  const partition = hourPartition(record.created_at);
  let group = groups.get(partition);
  if (!group) groups.set(partition, (group = { partition, records: [], rawBodies: [], messages: new Set() }));
  group.records.push(record);
  group.rawBodies.push(envelope);
  group.messages.add(message);
  byId.set(record.id, group);
}

/** Reads every message's envelopes (packed or v1), normalizes, de-duplicates by id and groups by UTC hour. */
function planGroups(messages: readonly QueueMessage[], nowMs: number, poison: PoisonSink): PlannedGroup[] {
  const groups = new Map<string, PlannedGroup>();
  const byId = new Map<string, PlannedGroup>();
  for (const message of messages) {
    const read = readQueueMessage(message.body);
    for (const p of read.poison) poison(message, p);
    for (const envelope of read.envelopes) planEnvelope(groups, byId, message, envelope, nowMs, poison);
  }
  return [...groups.values()];
}

/** Batch metric: rows written, objects, write latency and event lag (processing − created_at). */
function recordBatch(env: Env, queue: string, groups: PlannedGroup[], written: boolean[], quarantined: number, nowMs: number) {
  const ok = groups.filter((_, i) => written[i]);
  const rows = ok.flatMap((g) => g.records);
  const lags = rows.map((r) => (nowMs - r.created_at) / 1000);
  const retried = new Set(groups.filter((_, i) => !written[i]).flatMap((g) => [...g.messages])).size;
  const messages = new Set(groups.flatMap((g) => [...g.messages])).size + quarantined;
  recordMetric(env.METRICS, {
    kind: "lake_batch",
    outcome: retried === 0 ? "ok" : ok.length ? "partial" : "failed",
    label: queue,
    count: rows.length,
    figures: [messages, ok.length * 2, Date.now() - nowMs, lags.length ? lags.reduce((a, b) => a + b, 0) / lags.length : 0, lags.length ? Math.max(...lags) : 0, retried, quarantined],
  });
}

/**
 * Lake writer: one Parquet object and one raw archive per hour in the batch. A queue message
 * (packed or single) is acked only once every object holding any of its envelopes is written
 * and its poison envelopes are quarantined; otherwise it is retried with backoff, and the
 * envelopes already written come back as duplicates by id, which compaction and the views remove.
 */
export async function writeLakeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const nowMs = Date.now();
  const quarantines: Array<Promise<[QueueMessage, boolean]>> = [];
  const groups = planGroups(batch.messages, nowMs, (m, p) => quarantines.push(quarantine(env.LAKE_BUCKET, m, batch.queue, p, nowMs).then((ok) => [m, ok])));
  // Registered with the table (enqueued for the committer) before any ack: a crash loses nothing.
  const write = async (g: PlannedGroup) => {
    const written = await writeHourGroup(env.LAKE_BUCKET, g, nowMs);
    await registerFiles(env.TABLE_QUEUE, [written.file]);
    return written.keys;
  };
  const results = await Promise.allSettled(groups.map(write));
  const failed = new Set<QueueMessage>();
  results.forEach((result, i) => {
    const group = groups[i]!;
    if (result.status === "fulfilled") {
      console.log(JSON.stringify({ msg: "lake objects written", keys: result.value, rows: group.records.length, messages: group.messages.size }));
      return;
    }
    console.error(JSON.stringify({ msg: "lake write failed", partition: group.partition, messages: group.messages.size, error: errorMessage(result.reason) }));
    for (const m of group.messages) failed.add(m);
  });
  const quarantined = await Promise.all(quarantines);
  for (const [m, ok] of quarantined) if (!ok) failed.add(m);
  for (const m of batch.messages) {
    if (failed.has(m)) m.retry({ delaySeconds: backoffSeconds(m.attempts) });
    else m.ack();
  }
  recordBatch(env, batch.queue, groups, results.map((r) => r.status === "fulfilled"), quarantined.length, nowMs);
}
