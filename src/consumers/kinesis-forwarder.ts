import { PACKED_CONTENT_TYPE, packEnvelopes } from "../contract/packed-message";
import { errorMessage } from "../errors";
import { chunkEntries, createKinesisTarget, putRecords, type KinesisTarget } from "../sinks/kinesis";
import { recordMetric } from "../metrics";
import { backoffSeconds } from "./backoff";
import { planForward, type ForwardPlan, type MessagePart } from "./forward-plan";

/** Configuration errors will not heal in seconds: wait long, then let the DLQ take them. */
const CONFIG_RETRY_SECONDS = 600;
/** Remainders re-enqueued per original message; past it the whole message is retried toward the DLQ. */
export const MAX_RESENDS = 8;

interface SendOutcome {
  /** Entry indexes Kinesis did not accept. */
  failed: Set<number>;
  config: boolean;
  calls: number;
}

/** One PutRecords per ≤500 records / ≤5 MiB; records of a failed call count as failed. */
async function sendEntries(target: KinesisTarget, plan: ForwardPlan): Promise<SendOutcome> {
  const outcome: SendOutcome = { failed: new Set(), config: false, calls: 0 };
  for (const indexes of chunkEntries(plan.entries)) {
    outcome.calls++;
    const result = await putRecords(target, indexes.map((i) => plan.entries[i]!));
    if (result.kind === "ok") {
      for (const position of result.failed) outcome.failed.add(indexes[position]!);
      if (result.failed.length) console.warn(JSON.stringify({ msg: "kinesis partial failure", failed: result.failed.length, sent: indexes.length }));
      continue;
    }
    outcome.config ||= result.kind === "config";
    (result.kind === "config" ? console.error : console.warn)(JSON.stringify({ msg: result.kind === "config" ? "KINESIS CONFIGURATION ERROR" : "kinesis call failed", status: result.status, error: result.error, records: indexes.length }));
    for (const i of indexes) outcome.failed.add(i);
  }
  return outcome;
}

/**
 * Settles one message: ack when Kinesis accepted all its records. When only some failed, the
 * failed ones are re-enqueued as a new packed message (delayed) and the original acked once that
 * send succeeded, so a retry resends only what Kinesis refused. Otherwise the message is retried.
 */
async function settle(env: Env, part: MessagePart, outcome: SendOutcome): Promise<"acked" | "resent" | "retried"> {
  const failed = [...part.entries].filter(([index]) => outcome.failed.has(index));
  const { message } = part;
  if (failed.length === 0) return message.ack(), "acked";
  const delaySeconds = outcome.config ? CONFIG_RETRY_SECONDS : backoffSeconds(message.attempts + part.resent, 2, 300);
  if (failed.length < part.entries.size && part.resent < MAX_RESENDS && !outcome.config) {
    try {
      await env.FORWARD_QUEUE.send(packEnvelopes(failed.map(([, e]) => JSON.stringify(e)), part.resent + 1), { contentType: PACKED_CONTENT_TYPE, delaySeconds });
      return message.ack(), "resent";
    } catch (err) {
      console.error(JSON.stringify({ msg: "forward remainder send failed", messageId: message.id, error: errorMessage(err) }));
    }
  }
  return message.retry({ delaySeconds }), "retried";
}

function recordForward(env: Env, batch: MessageBatch<unknown>, plan: ForwardPlan, outcome: SendOutcome, settled: string[], startedMs: number) {
  const failed = outcome.failed.size;
  const accepted = plan.entries.length - failed;
  const label = outcome.config ? "config_error" : failed === 0 ? "ok" : accepted ? "partial" : "failed";
  const count = (s: string) => settled.filter((x) => x === s).length;
  recordMetric(env.METRICS, {
    kind: "kinesis_batch",
    outcome: label,
    label: batch.queue,
    count: accepted,
    figures: [batch.messages.length, plan.entries.length, failed, count("retried"), Date.now() - startedMs, count("resent")],
  });
}

/**
 * Kinesis forwarder: a message (packed or single) is acked only when Kinesis accepted every
 * record of it; only the records it refused are sent again (see settle).
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
  const plan = planForward(batch.messages, startedMs);
  const outcome = await sendEntries(target, plan);
  const settled = await Promise.all(plan.parts.map((part) => settle(env, part, outcome)));
  recordForward(env, batch, plan, outcome, settled, startedMs);
}
