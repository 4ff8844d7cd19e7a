import * as z from "zod/mini";
import { toIssues } from "../errors";
import { IngestMessage } from "./ingest-message";

export const PACKED_MESSAGE_VERSION = 2;

/**
 * A queue message holding many envelopes (each in the IngestMessage v1 shape), packed by a guard
 * shard from concurrent requests (src/guard/pack-sender.ts). It travels as JSON text
 * (contentType "text"): the shard joins the envelopes' JSON without parsing them again.
 * Envelopes are checked one by one, so one bad envelope never poisons its neighbours.
 */
export const PackedMessage = z.object({
  v: z.literal(PACKED_MESSAGE_VERSION),
  events: z.array(z.unknown()),
  /** How often a consumer re-enqueued a remainder of this message (Kinesis forwarder). */
  resent: z.optional(z.number()),
});
export type PackedMessage = z.infer<typeof PackedMessage>;

export const PACKED_CONTENT_TYPE = "text" as const;

/** The packed message's text from envelopes already serialized as JSON. */
export function packEnvelopes(envelopes: readonly string[], resent?: number): string {
  return `{"v":${PACKED_MESSAGE_VERSION},${resent ? `"resent":${resent},` : ""}"events":[${envelopes.join(",")}]}`;
}

/** Bytes of a packed message beyond its envelopes (a comma each); `resent` adds at most 16. */
export const PACK_FRAME_BYTES = packEnvelopes([]).length + 16;

export interface Poison {
  body: unknown;
  reason: string;
}

export interface ReadMessage {
  envelopes: IngestMessage[];
  poison: Poison[];
  resent: number;
}

const describe = (error: Parameters<typeof toIssues>[0]) => toIssues(error).map((i) => `${i.path}: ${i.message}`).join("; ");

function parseText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * The envelopes of one queue message, whatever its version: a packed message (text, or an object
 * after a redrive), or a single-event v1 message sent before packing. What does not parse is poison.
 */
export function readQueueMessage(body: unknown): ReadMessage {
  const value = typeof body === "string" ? parseText(body) : body;
  if ((value as { v?: unknown } | null)?.v !== PACKED_MESSAGE_VERSION) {
    const single = IngestMessage.safeParse(value);
    return single.success ? { envelopes: [single.data], poison: [], resent: 0 } : { envelopes: [], poison: [{ body: value, reason: describe(single.error) }], resent: 0 };
  }
  const packed = PackedMessage.safeParse(value);
  if (!packed.success) return { envelopes: [], poison: [{ body: value, reason: describe(packed.error) }], resent: 0 };
  const read: ReadMessage = { envelopes: [], poison: [], resent: packed.data.resent ?? 0 };
  for (const event of packed.data.events) {
    const parsed = IngestMessage.safeParse(event);
    if (parsed.success) read.envelopes.push(parsed.data);
    else read.poison.push({ body: event, reason: describe(parsed.error) });
  }
  return read;
}
