import { INGEST_MESSAGE_VERSION, type IngestMessage } from "../contract/ingest-message";
import { PACK_FRAME_BYTES } from "../contract/packed-message";
import { ApiError } from "../errors";
import { MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES } from "../queue-limits";
const encoder = new TextEncoder();
// Large enough for any envelope that fits a message: a longer one reads as too large below.
const scratch = new Uint8Array(MAX_MESSAGE_BYTES + 1);

/** UTF-8 size of `text` up to the scratch's size, without allocating a copy per envelope. */
function utf8Length(text: string): number {
  const { read, written } = encoder.encodeInto(text, scratch);
  return read === text.length ? written : scratch.byteLength + 1;
}

export function buildMessage(fields: Omit<IngestMessage, "v" | "source">): IngestMessage {
  return { v: INGEST_MESSAGE_VERSION, source: "radar", ...fields };
}

/** Envelopes as JSON text with their UTF-8 sizes, as a guard shard packs them. */
export interface SerializedEnvelopes {
  json: string[];
  bytes: number[];
}

/**
 * Serializes each envelope once; refuses (413) one that could not fit a packed queue message
 * even alone, so a shard never holds an envelope it cannot send.
 */
export function serializeEnvelopes(messages: IngestMessage[]): SerializedEnvelopes {
  const out: SerializedEnvelopes = { json: [], bytes: [] };
  for (const message of messages) {
    const json = JSON.stringify(message);
    const bytes = utf8Length(json) + 1;
    if (bytes + PACK_FRAME_BYTES + MESSAGE_OVERHEAD_BYTES > MAX_MESSAGE_BYTES) {
      throw new ApiError("payload_too_large", `event ${message.id} is larger than a queue message allows`);
    }
    out.json.push(json);
    out.bytes.push(bytes);
  }
  return out;
}
