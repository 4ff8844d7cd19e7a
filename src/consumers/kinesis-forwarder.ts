import { IngestMessage } from "../contract/ingest-message";
import { normalizeEvent, partitionKeyOf, toGeofenceEvent } from "../normalize";
import { chunkEntries, createKinesisTarget, putRecords, type KinesisEntry, type KinesisTarget } from "../sinks/kinesis";
import { recordMetric } from "../metrics";
import { backoffSeconds } from "./backoff";

type QueueMessage = Message<unknown>;
/** Configuration errors will not heal in seconds: wait long, then let the DLQ take them. */
const CONFIG_RETRY_SECONDS = 600;
const encoder = new TextEncoder();

interface Planned {
  entries: KinesisEntry[];
  /** Messages per entry: duplicates of one id ride on the same entry. */
  owners: QueueMessage[][];
}

/** Validates and dedupes by id; poison is logged and acked (the lake writer quarantines its copy). */
function planEntries(messages: readonly QueueMessage[], nowMs: number): Planned {
  const planned: Planned = { entries: [], owners: [] };
  const byId = new Map<string, number>();
  for (const message of messages) {
    const parsed = IngestMessage.safeParse(message.body);
    if (!parsed.success) {
      console.warn(JSON.stringify({ msg: "forward poison acked", messageId: message.id }));
      message.ack();
      continue;
    }
    const seen = byId.get(parsed.data.id);
    if (seen !== undefined) {
      planned.owners[seen]!.push(message);
      continue;
    }
    const record = normalizeEvent(parsed.data, nowMs);
    byId.set(record.id, planned.entries.length);
    planned.entries.push({ data: encoder.encode(JSON.stringify(toGeofenceEvent(record))), partitionKey: partitionKeyOf(record) });
    planned.owners.push([message]);
  }
  return planned;
}

interface ChunkStats {
  accepted: number;
  failed: number;
  retried: number;
  config: boolean;
}

async function sendChunk(target: KinesisTarget, planned: Planned, indexes: number[]): Promise<ChunkStats> {
  const outcome = await putRecords(target, indexes.map((i) => planned.entries[i]!));
  const owners = (position: number) => planned.owners[indexes[position]!]!;
  if (outcome.kind === "ok") {
    const failed = new Set(outcome.failed);
    indexes.forEach((_, position) => {
      for (const m of owners(position)) {
        if (failed.has(position)) m.retry({ delaySeconds: backoffSeconds(m.attempts, 2, 300) });
        else m.ack();
      }
    });
    if (failed.size) console.warn(JSON.stringify({ msg: "kinesis partial failure", failed: failed.size, sent: indexes.length }));
    return { accepted: indexes.length - failed.size, failed: failed.size, retried: messagesAt(planned, indexes, failed), config: false };
  }
  const config = outcome.kind === "config";
  const log = { msg: config ? "KINESIS CONFIGURATION ERROR" : "kinesis call failed", status: outcome.status, error: outcome.error, records: indexes.length };
  (config ? console.error : console.warn)(JSON.stringify(log));
  indexes.forEach((_, position) => {
    for (const m of owners(position)) m.retry({ delaySeconds: config ? CONFIG_RETRY_SECONDS : backoffSeconds(m.attempts, 2, 300) });
  });
  return { accepted: 0, failed: indexes.length, retried: messagesAt(planned, indexes), config };
}

/** Messages owning the entries at `indexes` (all, or only the given positions). */
function messagesAt(planned: Planned, indexes: number[], positions?: Set<number>): number {
  return indexes.reduce((n, index, position) => n + (!positions || positions.has(position) ? planned.owners[index]!.length : 0), 0);
}

function recordForward(env: Env, batch: MessageBatch<unknown>, sent: number, stats: ChunkStats[], startedMs: number) {
  const sum = (pick: (s: ChunkStats) => number) => stats.reduce((n, s) => n + pick(s), 0);
  const failed = sum((s) => s.failed);
  const outcome = stats.some((s) => s.config) ? "config_error" : failed === 0 ? "ok" : sum((s) => s.accepted) ? "partial" : "failed";
  recordMetric(env.METRICS, {
    kind: "kinesis_batch",
    outcome,
    label: batch.queue,
    count: sum((s) => s.accepted),
    figures: [batch.messages.length, sent, failed, sum((s) => s.retried), Date.now() - startedMs],
  });
}

/**
 * Kinesis forwarder: one PutRecords per ≤500 records / ≤5 MiB. A message is acked
 * only when Kinesis accepted its record; everything else is retried with backoff.
 */
export async function forwardBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const target = createKinesisTarget(env);
  if ("missing" in target) {
    console.error(JSON.stringify({ msg: "KINESIS CONFIGURATION ERROR", missing: target.missing }));
    for (const m of batch.messages) m.retry({ delaySeconds: CONFIG_RETRY_SECONDS });
    recordMetric(env.METRICS, { kind: "kinesis_batch", outcome: "config_error", label: batch.queue, count: 0, figures: [batch.messages.length, 0, 0, batch.messages.length, 0] });
    return;
  }
  const startedMs = Date.now();
  const planned = planEntries(batch.messages, startedMs);
  const stats: ChunkStats[] = [];
  for (const indexes of chunkEntries(planned.entries)) stats.push(await sendChunk(target, planned, indexes));
  recordForward(env, batch, planned.entries.length, stats, startedMs);
}
