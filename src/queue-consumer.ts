import { parkDeadLetters } from "./consumers/dead-letter";
import { forwardBatch } from "./consumers/kinesis-forwarder";
import { writeLakeBatch } from "./consumers/lake-writer";
import { consumeCompactionBatch } from "./lake/compaction-queue";

/**
 * Routes a batch to its consumer by queue name: `*-dlq` queues are parked in R2 for
 * redrive, names containing "forward" feed Kinesis, `milk-compact*` runs lake compaction
 * steps, every other queue feeds the lake.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith("-dlq")) await parkDeadLetters(batch, env);
  else if (batch.queue.startsWith("milk-compact")) await consumeCompactionBatch(batch, env);
  else if (batch.queue.includes("forward")) await forwardBatch(batch, env);
  else await writeLakeBatch(batch, env);
}
