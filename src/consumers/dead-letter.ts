import { errorMessage } from "../errors";
import { hourPartition, uniqueName } from "../sinks/lake-keys";
import { backoffSeconds } from "./backoff";

/** Logical name of the queue a dead-letter queue belongs to; also its R2 prefix. */
export function deadLetterOrigin(queue: string): "ingest" | "forward" {
  return queue.includes("forward") ? "forward" : "ingest";
}

/**
 * Drains a dead-letter queue into R2 (`dead-letter/<origin>/dt=…/hour=…/…json`), where operators
 * can read what failed and redrive it. A message is acked only after its copy is stored.
 */
export async function parkDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const nowMs = Date.now();
  const origin = deadLetterOrigin(batch.queue);
  await Promise.all(
    batch.messages.map(async (message) => {
      const key = `dead-letter/${origin}/${hourPartition(nowMs)}/${uniqueName(nowMs)}.json`;
      const parked = { origin, queue: batch.queue, messageId: message.id, attempts: message.attempts, parkedAt: new Date(nowMs).toISOString(), body: message.body };
      try {
        await env.LAKE_BUCKET.put(key, JSON.stringify(parked), { httpMetadata: { contentType: "application/json" } });
        console.warn(JSON.stringify({ msg: "dead letter parked", origin, messageId: message.id, key }));
        message.ack();
      } catch (err) {
        console.error(JSON.stringify({ msg: "dead letter park failed", messageId: message.id, error: errorMessage(err) }));
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      }
    }),
  );
}
