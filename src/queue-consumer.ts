import { parkDeadLetters } from "./consumers/dead-letter";
import { forwardBatch } from "./consumers/kinesis-forwarder";
import { writeLakeBatch } from "./consumers/lake-writer";
import { consumeCompactionBatch } from "./lake/compaction/compaction-queue";
import { commitTableBatch } from "./lake/table/commit/table-consumer";
import { findQueueRoute, type QueueRole, type QueueRoute } from "./queue-roles";

/** An unknown queue is a deployment mistake; wait long enough for a fix before retrying. */
const UNKNOWN_QUEUE_RETRY_SECONDS = 600;

const HANDLERS: Record<QueueRole, (batch: MessageBatch<unknown>, env: Env, route: QueueRoute) => Promise<void>> = {
  lake: (batch, env) => writeLakeBatch(batch, env),
  forward: (batch, env) => forwardBatch(batch, env),
  compact: (batch, env) => consumeCompactionBatch(batch, env),
  table: (batch, env) => commitTableBatch(batch, env),
  dead_letter: parkDeadLetters,
  last_resort: parkDeadLetters,
};

/** Routes a batch to its consumer by the queue's role in src/queue-roles.ts. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const route = findQueueRoute(batch.queue);
  if (!route) {
    console.error(JSON.stringify({ msg: "UNKNOWN QUEUE: no role in src/queue-roles.ts", queue: batch.queue, messages: batch.messages.length }));
    batch.retryAll({ delaySeconds: UNKNOWN_QUEUE_RETRY_SECONDS });
    return;
  }
  await HANDLERS[route.role](batch, env, route);
}
