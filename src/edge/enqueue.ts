import { INGEST_MESSAGE_VERSION, type IngestMessage } from "../contract/ingest-message";
import { ApiError } from "../errors";

/** Cloudflare Queues limits: 128 KB per message, 256 KB and 100 messages per sendBatch. */
export const MAX_MESSAGE_BYTES = 128 * 1000;
const MAX_BATCH_BYTES = 256 * 1000;
const MAX_BATCH_MESSAGES = 100;
// Per-message overhead the platform counts on top of the body.
const MESSAGE_OVERHEAD_BYTES = 100;
const encoder = new TextEncoder();

export function buildMessage(
  fields: Omit<IngestMessage, "v" | "source">,
): IngestMessage {
  return { v: INGEST_MESSAGE_VERSION, source: "radar", ...fields };
}

/** Byte size of the message as JSON; refuses (413) an event too large for one queue message. */
export function measureMessage(message: IngestMessage): number {
  const json = JSON.stringify(message);
  // UTF-8 is at most 3 bytes per UTF-16 unit, so short strings skip the exact count.
  const bytes = json.length * 3 < MAX_MESSAGE_BYTES ? json.length : encoder.encode(json).byteLength;
  if (bytes + MESSAGE_OVERHEAD_BYTES > MAX_MESSAGE_BYTES) {
    throw new ApiError("payload_too_large", `event ${message.id} is larger than a queue message allows`);
  }
  return bytes + MESSAGE_OVERHEAD_BYTES;
}

/** Splits messages into sendBatch calls that respect the count and byte limits. */
export function chunkForSend(messages: IngestMessage[], sizes: number[]): IngestMessage[][] {
  const chunks: IngestMessage[][] = [];
  let current: IngestMessage[] = [];
  let bytes = 0;
  messages.forEach((message, i) => {
    const size = sizes[i]!;
    if (current.length > 0 && (current.length === MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Enqueues every message or throws a 503: the caller must not answer 2xx otherwise. */
export async function enqueueAll(queue: Queue, messages: IngestMessage[], sizes: number[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    if (messages.length === 1) {
      await queue.send(messages[0], { contentType: "json" });
      return;
    }
    for (const chunk of chunkForSend(messages, sizes)) {
      await queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
    }
  } catch (err) {
    console.error(JSON.stringify({ msg: "queue send failed", error: err instanceof Error ? err.message : String(err) }));
    throw new ApiError("queue_unavailable", "could not enqueue the events; retry later", undefined, { "Retry-After": "5" });
  }
}
