import type { IngestMessage } from "../contract/ingest-message";

export async function forwardBatch(batch: MessageBatch<IngestMessage>, _env: Env): Promise<void> {
  for (const message of batch.messages) message.retry({ delaySeconds: 60 });
}
