import * as z from "zod/mini";
import { RadarEvent, RadarUser } from "./radar-payload";

export const INGEST_MESSAGE_VERSION = 1;

/**
 * The queue envelope, shared by the edge (producer) and both consumers.
 * One message per Radar event; `event` and `user` are the bodies as received.
 */
export const IngestMessage = z.object({
  v: z.literal(INGEST_MESSAGE_VERSION),
  id: z.string().check(z.minLength(1)),
  receivedAt: z.iso.datetime(),
  requestId: z.string().check(z.minLength(1)),
  source: z.literal("radar"),
  event: RadarEvent,
  user: z.optional(RadarUser),
});

export type IngestMessage = z.infer<typeof IngestMessage>;
