import { readQueueMessage } from "../contract/packed-message";
import type { IngestMessage } from "../contract/ingest-message";
import { normalizeEvent, partitionKeyOf, toGeofenceEvent } from "../normalize";
import type { KinesisEntry } from "../sinks/kinesis";

type QueueMessage = Message<unknown>;
const encoder = new TextEncoder();

/** One queue message's share of the batch: its records (entry indexes) and their envelopes. */
export interface MessagePart {
  message: QueueMessage;
  entries: Map<number, IngestMessage>;
  /** How often a remainder of this message was already re-enqueued. */
  resent: number;
}

export interface ForwardPlan {
  entries: KinesisEntry[];
  parts: MessagePart[];
}

/**
 * Reads every message's envelopes (packed or v1) and dedupes them by id into Kinesis entries;
 * duplicates of one id ride on the same entry. Poison envelopes are logged and skipped: the lake
 * writer quarantines its own copy.
 */
export function planForward(messages: readonly QueueMessage[], nowMs: number): ForwardPlan {
  const plan: ForwardPlan = { entries: [], parts: [] };
  const byId = new Map<string, number>();
  for (const message of messages) {
    const read = readQueueMessage(message.body);
    if (read.poison.length) console.warn(JSON.stringify({ msg: "forward poison skipped", messageId: message.id, envelopes: read.poison.length }));
    const part: MessagePart = { message, entries: new Map(), resent: read.resent };
    for (const envelope of read.envelopes) {
      let index = byId.get(envelope.id);
      if (index === undefined) {
        const record = normalizeEvent(envelope, nowMs);
        index = plan.entries.push({ data: encoder.encode(JSON.stringify(toGeofenceEvent(record))), partitionKey: partitionKeyOf(record) }) - 1;
        byId.set(envelope.id, index);
      }
      part.entries.set(index, envelope);
    }
    plan.parts.push(part);
  }
  return plan;
}
