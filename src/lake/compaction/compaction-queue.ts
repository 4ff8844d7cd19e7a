import { CompactionMessage } from "../../contract/compaction-message";
import { backoffSeconds } from "../../consumers/backoff";
import { errorMessage, toIssues } from "../../errors";
import { recordMetric } from "../../metrics";
import { compactionDeps, type CompactionDeps } from "./config";
import { mergeJob } from "./merge-step";
import { planHour } from "./plan-step";
import { sortShard } from "./sort-step";

/** Runs one step; every step is idempotent, so a redelivery only repeats work. */
export async function runCompactionStep(deps: CompactionDeps, message: CompactionMessage, nowMs: number): Promise<Record<string, unknown>> {
  if (message.step === "plan") {
    const plan = await planHour(deps, message.jobId, message.partition, nowMs);
    return { shards: plan.shards, rawObjects: plan.rawObjects, events: plan.events };
  }
  if (message.step === "sort") {
    return { shard: message.shard, ...(await sortShard(deps, message)) };
  }
  const status = await mergeJob(deps, message.jobId, nowMs);
  return { ...status, files: status?.files.length };
}

/** One `compaction` metric point per finished job (fields in docs/operations.md). */
function recordJob(env: Env, partition: string, result: Record<string, unknown>, ms: number) {
  const n = (key: string) => Number(result[key] ?? 0);
  recordMetric(env.METRICS, { kind: "compaction", outcome: String(result.state ?? "ok"), label: partition, count: n("rows"), figures: [n("rawObjects"), n("replaced"), ms, n("rejected")] });
}

/**
 * Compaction queue consumer: a message is acked only after its step's writes succeeded; a
 * failed step is retried with backoff (then parked by the dead-letter queue); an invalid
 * message is logged and acked, since no retry can fix it.
 */
export async function consumeCompactionBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = compactionDeps(env);
  for (const message of batch.messages) {
    const parsed = CompactionMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ msg: "invalid compaction message", messageId: message.id, issues: toIssues(parsed.error) }));
      message.ack();
      continue;
    }
    const startedMs = Date.now();
    try {
      const result = await runCompactionStep(deps, parsed.data, startedMs);
      console.log(JSON.stringify({ msg: `compaction ${parsed.data.step} done`, jobId: parsed.data.jobId, partition: parsed.data.partition, ...result }));
      if (parsed.data.step === "merge") recordJob(env, parsed.data.partition, result, Date.now() - startedMs);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ msg: `compaction ${parsed.data.step} failed`, jobId: parsed.data.jobId, partition: parsed.data.partition, error: errorMessage(err) }));
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}
