import { INGEST_MESSAGE_VERSION, type IngestMessage } from "../contract/ingest-message";
import { ApiError, errorMessage } from "../errors";
import { MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES, chunkForSend } from "../queue-limits";

// Envelope fields around the event (v, id ≤ 256, receivedAt, requestId, source, keys).
const ENVELOPE_BOUND_BYTES = 512;
const encoder = new TextEncoder();

export function buildMessage(
  fields: Omit<IngestMessage, "v" | "source">,
): IngestMessage {
  return { v: INGEST_MESSAGE_VERSION, source: "radar", ...fields };
}

/** Byte size of the message as JSON; refuses (413) an event too large for one queue message. */
export function measureMessage(message: IngestMessage): number {
  const bytes = encoder.encode(JSON.stringify(message)).byteLength + MESSAGE_OVERHEAD_BYTES;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new ApiError("payload_too_large", `event ${message.id} is larger than a queue message allows`);
  }
  return bytes;
}

// Re-serializing parsed JSON can grow it (`1e20` becomes 21 digits), never by more than this.
const RESERIALIZE_GROWTH = 6;

/**
 * Sizes for `enqueueAll`. A single event from a small body cannot exceed the message limit
 * (its event and user both came from that body), so the hot path skips serializing it twice.
 */
export function measureMessages(messages: IngestMessage[], bodyBytes: number): number[] {
  const bound = bodyBytes * RESERIALIZE_GROWTH + ENVELOPE_BOUND_BYTES + MESSAGE_OVERHEAD_BYTES;
  if (messages.length === 1 && bound <= MAX_MESSAGE_BYTES) return [bound];
  return messages.map(measureMessage);
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
    console.error(JSON.stringify({ msg: "queue send failed", error: errorMessage(err) }));
    throw new ApiError("queue_unavailable", "could not enqueue the events; retry later", undefined, { "Retry-After": "5" });
  }
}
