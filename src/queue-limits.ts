/**
 * Cloudflare Queues limits as production counts them (docs: queues/platform/limits): a message
 * and a sendBatch are measured with about 100 B of metadata per message on top of the body.
 * The local broker is looser (288,000 B per batch), so every sender sizes its own batches here.
 */
export const MAX_MESSAGE_BYTES = 128 * 1000;
export const MAX_BATCH_BYTES = 256 * 1000;
export const MAX_BATCH_MESSAGES = 100;
export const MESSAGE_OVERHEAD_BYTES = 100;
/** Queues bills one operation per 64 KB written, read or deleted: a message of 65 KB costs twice one of 64 KB. */
export const QUEUE_BILLING_UNIT_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/** A body's size as production counts it: its JSON bytes plus the per-message metadata. */
export function measureBody(body: unknown): number {
  return encoder.encode(JSON.stringify(body)).byteLength + MESSAGE_OVERHEAD_BYTES;
}

/** Splits items into sendBatch calls that respect the count and byte limits (sizes include metadata). */
export function chunkForSend<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  items.forEach((item, i) => {
    const size = sizes[i]!;
    if (current.length > 0 && (current.length === MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Sends every body in as few sendBatch calls as the limits allow; throws if one body alone is too large. */
export async function sendAll<T>(queue: Pick<Queue<T>, "sendBatch">, bodies: readonly T[]): Promise<void> {
  const sizes = bodies.map(measureBody);
  const tooLarge = sizes.findIndex((size) => size > MAX_MESSAGE_BYTES);
  if (tooLarge >= 0) throw new Error(`queue message ${tooLarge} is ${sizes[tooLarge]} B with metadata, over the ${MAX_MESSAGE_BYTES} B limit`);
  for (const chunk of chunkForSend(bodies, sizes)) await queue.sendBatch(chunk.map((body) => ({ body })));
}
