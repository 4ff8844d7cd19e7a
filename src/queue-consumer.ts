import { writeLakeBatch } from "./consumers/lake-writer";
import { forwardBatch } from "./consumers/kinesis-forwarder";

/**
 * Routes a batch to its consumer by queue name: queues whose name contains
 * "forward" feed Kinesis, every other queue feeds the lake.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  if (batch.queue.includes("forward")) await forwardBatch(batch, env);
  else await writeLakeBatch(batch, env);
}
