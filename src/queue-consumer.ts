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

/**
 * Routes a batch to its consumer by the queue's role in src/queue-roles.ts, if `serves` says this
 * Worker consumes that queue: a batch of another Worker's queue is a deployment mistake (a consumer
 * bound to the wrong Worker), refused like an unknown queue rather than run beside the wrong traffic.
 */
function routeQueues(serves: (route: QueueRoute) => boolean) {
  return async (batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> => {
    const route = findQueueRoute(batch.queue);
    if (!route || !serves(route)) {
      const msg = route ? "QUEUE OF ANOTHER WORKER: see wrangler.toml and wrangler.compact.toml" : "UNKNOWN QUEUE: no role in src/queue-roles.ts";
      console.error(JSON.stringify({ msg, queue: batch.queue, messages: batch.messages.length }));
      batch.retryAll({ delaySeconds: UNKNOWN_QUEUE_RETRY_SECONDS });
      return;
    }
    await HANDLERS[route.role](batch, env, route);
  };
}

/** The edge Worker's consumers: lake writer, forwarder and their dead letters. */
export const handleQueue = routeQueues((route) => route.origin !== "compact");
/** The compaction Worker's consumers: compaction steps and their dead letters (src/compact-worker.ts). */
export const compactionQueues = routeQueues((route) => route.origin === "compact");
