import { z } from "zod";
import { RadarEvent } from "./radar-payload";

export const INGEST_MESSAGE_VERSION = 1;

/**
 * The queue envelope, shared by the edge (producer) and both consumers.
 * One message per Radar event; `event` and `user` are the bodies as received.
 */
export const IngestMessage = z.object({
  v: z.literal(INGEST_MESSAGE_VERSION),
  id: z.string().min(1),
  receivedAt: z.iso.datetime(),
  requestId: z.string().min(1),
  source: z.literal("radar"),
  event: RadarEvent,
  user: z.looseObject({}).optional(),
});

export type IngestMessage = z.infer<typeof IngestMessage>;
