import { PACK_FRAME_BYTES, packEnvelopes } from "../contract/packed-message";
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES } from "../queue-limits";

/** Envelopes of one request waiting for a send (JSON text and UTF-8 bytes, comma included). */
export interface PackRequest {
  json: string[];
  bytes: number[];
}

/** One sendBatch call: its packed messages and the requests (by index) it carries. */
export interface PlannedSend {
  messages: string[];
  bytes: number;
  carries: Set<number>;
}

interface OpenPack {
  envelopes: string[];
  bytes: number;
  carries: Set<number>;
}

const EMPTY_PACK_BYTES = PACK_FRAME_BYTES + MESSAGE_OVERHEAD_BYTES;

/** Fills packed messages up to the 128 KB limit (metadata counted), in arrival order. */
function fillPacks(requests: readonly PackRequest[]): OpenPack[] {
  const packs: OpenPack[] = [];
  let open: OpenPack | undefined;
  requests.forEach((request, r) => {
    request.json.forEach((json, i) => {
      const size = request.bytes[i]!;
      if (!open || open.bytes + size > MAX_MESSAGE_BYTES) packs.push((open = { envelopes: [], bytes: EMPTY_PACK_BYTES, carries: new Set() }));
      open.envelopes.push(json);
      open.bytes += size;
      open.carries.add(r);
    });
  });
  return packs;
}

/**
 * Splits the requests gathered for one group commit into sendBatch calls within the platform's
 * limits: each message ≤ 128,000 B and each call ≤ 100 messages and ≤ 256,000 B, counting about
 * 100 B of metadata per message. Envelopes must have been sized by serializeEnvelopes.
 */
export function planSends(requests: readonly PackRequest[]): PlannedSend[] {
  const sends: PlannedSend[] = [];
  let current: PlannedSend | undefined;
  for (const pack of fillPacks(requests)) {
    if (!current || current.messages.length === MAX_BATCH_MESSAGES || current.bytes + pack.bytes > MAX_BATCH_BYTES) {
      sends.push((current = { messages: [], bytes: 0, carries: new Set() }));
    }
    current.messages.push(packEnvelopes(pack.envelopes));
    current.bytes += pack.bytes;
    for (const r of pack.carries) current.carries.add(r);
  }
  return sends;
}
