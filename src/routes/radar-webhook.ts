import { Hono } from "hono";
import { RadarPayload, type RadarEvent } from "../contract/radar-payload";
import type { IngestMessage } from "../contract/ingest-message";
import { ApiError, toIssues } from "../errors";
import type { AppEnv } from "../edge/app-env";
import { buildMessage, enqueueAll, measureMessages } from "../edge/enqueue";
import { deriveEventId } from "../edge/event-id";
import { parseForwardTypes } from "../edge/forward-types";
import { parseJsonBody, readBodyLimited } from "../edge/read-json-body";
import { parseTokens, verifySignature } from "../edge/signature";

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** Legacy Radar signing: HMAC over `event._id` or `events[0]._id`. */
function legacySigningMessage(body: unknown): string {
  const record = (body ?? {}) as { event?: { _id?: unknown }; events?: Array<{ _id?: unknown }> };
  const id = record.event?._id ?? (Array.isArray(record.events) ? record.events[0]?._id : undefined);
  return typeof id === "string" ? id : "";
}

async function authorize(env: Env, headers: Headers, readBody: () => Promise<unknown>): Promise<unknown> {
  const tokens = parseTokens(env.RADAR_WEBHOOK_TOKEN);
  const signature = headers.get("x-radar-signature") ?? undefined;
  const signingId = headers.get("x-radar-signing-id");
  const unauthorized = new ApiError("unauthorized", "missing or invalid X-Radar-Signature");
  if (signingId) {
    if (!(await verifySignature(tokens, signingId, signature))) throw unauthorized;
    return readBody();
  }
  if (env.RADAR_ACCEPT_LEGACY_SIGNATURE !== "true") throw unauthorized;
  const body = await readBody();
  if (!(await verifySignature(tokens, legacySigningMessage(body), signature))) throw unauthorized;
  return body;
}

function countTypes(events: RadarEvent[]): Map<string, number> {
  const types = new Map<string, number>();
  for (const e of events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
  return types;
}

async function toMessages(events: RadarEvent[], user: IngestMessage["user"], requestId: string): Promise<IngestMessage[]> {
  const receivedAt = new Date().toISOString();
  return Promise.all(
    events.map(async (event) => buildMessage({ id: await deriveEventId(event), receivedAt, requestId, event, ...(user && { user }) })),
  );
}

export const radarWebhook = new Hono<AppEnv>()
  .post("/", async (c) => {
    let bodyBytes = 0;
    const body = await authorize(c.env, c.req.raw.headers, async () => {
      if (!JSON_CONTENT_TYPE.test(c.req.header("content-type") ?? "")) {
        throw new ApiError("unsupported_media_type", "Content-Type must be application/json");
      }
      const bytes = await readBodyLimited(c.req.raw);
      bodyBytes = bytes.byteLength;
      return parseJsonBody(bytes);
    });
    const parsed = RadarPayload.safeParse(body);
    if (!parsed.success) throw new ApiError("validation_failed", "body does not match the Radar webhook schema", toIssues(parsed.error));

    // Enqueue the events exactly as received, not zod's copies.
    const raw = body as { event?: RadarEvent; events?: RadarEvent[]; user?: IngestMessage["user"] };
    const events = raw.events ?? [raw.event!];
    c.set("eventCount", events.length);
    c.set("eventTypes", countTypes(events));
    const messages = await toMessages(events, raw.user, c.get("requestId"));
    const sizes = measureMessages(messages, bodyBytes);

    const forwardTypes = parseForwardTypes(c.env.FORWARD_EVENT_TYPES);
    const forwarded = messages.filter((m) => forwardTypes.has(m.event.type));
    // Both sends must succeed before the 202; they run side by side.
    await Promise.all([
      enqueueAll(c.env.INGEST_QUEUE, messages, sizes),
      enqueueAll(c.env.FORWARD_QUEUE, forwarded, sizes.filter((_, i) => forwardTypes.has(messages[i]!.event.type))),
    ]);
    return c.json({ accepted: messages.length, ids: messages.map((m) => m.id) }, 202);
  })
  .all("/", () => {
    throw new ApiError("method_not_allowed", "use POST", undefined, { Allow: "POST" });
  });
