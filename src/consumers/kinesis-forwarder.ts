
export async function forwardBatch(batch: MessageBatch<unknown>, _env: Env): Promise<void> {
  for (const message of batch.messages) message.retry({ delaySeconds: 60 });
}
