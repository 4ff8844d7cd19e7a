import { parkDeadLetters } from "./consumers/dead-letter";
import { forwardBatch } from "./consumers/kinesis-forwarder";
import { writeLakeBatch } from "./consumers/lake-writer";

/**
 * Routes a batch to its consumer by queue name: `*-dlq` queues are parked in R2 for
 * redrive, names containing "forward" feed Kinesis, every other queue feeds the lake.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith("-dlq")) await parkDeadLetters(batch, env);
  else if (batch.queue.includes("forward")) await forwardBatch(batch, env);
  else await writeLakeBatch(batch, env);
}
