import { errorMessage } from "../errors";
import { recordMetric } from "../metrics";
import type { QueueOrigin, QueueRoute } from "../queue-roles";
import { hourPartition, uniqueName } from "../lake/keys";
import { backoffSeconds } from "./backoff";

interface RetrySchedule {
  baseSeconds: number;
  capSeconds: number;
}

/**
 * Parking retries while R2 is down. Each delay lies in [d/2, d] for d = min(cap, base·2^(attempt-1)),
 * so with the max_retries of src/queue-roles.ts the dead-letter queues alone wait at least 27.5 h
 * (60 retries) before the platform moves a message on to its last-resort queue, which waits at
 * least another 3.8 days (20 retries; 12 h is the platform's longest delay).
 */
export const PARK_RETRY: Record<"dead_letter" | "last_resort", RetrySchedule> = {
  dead_letter: { baseSeconds: 60, capSeconds: 3_600 },
  last_resort: { baseSeconds: 900, capSeconds: 43_200 },
};

async function parkMessage(bucket: R2Bucket, queue: string, origin: QueueOrigin, message: Message<unknown>, nowMs: number, schedule: RetrySchedule) {
  const key = `dead-letter/${origin}/${hourPartition(nowMs)}/${uniqueName(nowMs)}.json`;
  const parked = { origin, queue, messageId: message.id, attempts: message.attempts, parkedAt: new Date(nowMs).toISOString(), body: message.body };
  try {
    await bucket.put(key, JSON.stringify(parked), { httpMetadata: { contentType: "application/json" } });
    console.warn(JSON.stringify({ msg: "dead letter parked", origin, queue, messageId: message.id, key }));
    message.ack();
    return true;
  } catch (err) {
    console.error(JSON.stringify({ msg: "dead letter park failed", queue, messageId: message.id, attempts: message.attempts, error: errorMessage(err) }));
    message.retry({ delaySeconds: backoffSeconds(message.attempts, schedule.baseSeconds, schedule.capSeconds) });
    return false;
  }
}

/**
 * Drains a dead-letter or last-resort queue into R2 (`dead-letter/<origin>/dt=…/hour=…/…json`),
 * where operators can read what failed and redrive it. A message is acked only after its copy is stored.
 */
export async function parkDeadLetters(batch: MessageBatch<unknown>, env: Env, route: QueueRoute): Promise<void> {
  const nowMs = Date.now();
  const schedule = PARK_RETRY[route.role === "last_resort" ? "last_resort" : "dead_letter"];
  const outcomes = await Promise.all(batch.messages.map((m) => parkMessage(env.LAKE_BUCKET, batch.queue, route.origin, m, nowMs, schedule)));
  const parked = outcomes.filter(Boolean).length;
  if (parked) recordMetric(env.METRICS, { kind: "dead_letter", outcome: "parked", label: route.origin, count: parked });
  if (parked < outcomes.length) recordMetric(env.METRICS, { kind: "dead_letter", outcome: "retried", label: route.origin, count: outcomes.length - parked });
}
