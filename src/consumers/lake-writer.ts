import type { IngestMessage } from "../contract/ingest-message";

export async function writeLakeBatch(batch: MessageBatch<IngestMessage>, _env: Env): Promise<void> {
  for (const message of batch.messages) message.retry({ delaySeconds: 60 });
}
