import { Hono } from "hono";
import { RadarPayload, type RadarEvent } from "../contract/radar-payload";
import type { IngestMessage } from "../contract/ingest-message";
import { ApiError, toIssues } from "../errors";
import type { AppEnv } from "../edge/app-env";
import { buildMessage, serializeEnvelopes } from "../edge/enqueue";
import { assignEventIds } from "../edge/event-id";
import { parseForwardTypes } from "../edge/forward-types";
import { parseJsonBody, readBodyLimited } from "../edge/read-json-body";
import { decodeDigest, parseTokenList, verifySignature } from "../edge/signature";
import { requestRecord } from "../edge/request-record";
import { toWellFormedJson } from "../edge/well-formed";
import { submitToGuard } from "../guard/submit-to-guard";
import type { GuardBatch } from "../guard/signing-guard";

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const unauthorized = () => new ApiError("unauthorized", "missing or invalid X-Radar-Signature");

/** Legacy Radar signing: HMAC over `event._id` or `events[0]._id`. */
function legacySigningMessage(body: unknown): string {
  const record = (body ?? {}) as { event?: { _id?: unknown }; events?: Array<{ _id?: unknown }> };
  const id = record.event?._id ?? (Array.isArray(record.events) ? record.events[0]?._id : undefined);
  return typeof id === "string" ? id : "";
}

function readTokens(env: Env): string[] {
  const list = parseTokenList(env.RADAR_WEBHOOK_TOKEN);
  if ("error" in list) throw new ApiError("token_list_invalid", "the webhook secret is misconfigured; see /healthz");
  return list.tokens;
}

async function readJsonBytes(request: Request): Promise<Uint8Array> {
  if (!JSON_CONTENT_TYPE.test(request.headers.get("content-type") ?? "")) {
    throw new ApiError("unsupported_media_type", "Content-Type must be application/json");
  }
  return readBodyLimited(request);
}

/** What the signature covers: the guard binds it to the whole body, so a captured pair cannot carry another. */
interface Signed {
  scope: "signing-id" | "legacy";
  signed: string;
}

/** Authenticates, then reads the body. Unauthenticated callers are refused before the body is read. */
async function readAuthorizedBody(env: Env, request: Request): Promise<{ body: unknown; bytes: Uint8Array; signed: Signed }> {
  const tokens = readTokens(env);
  const signature = request.headers.get("x-radar-signature") ?? undefined;
  const signingId = request.headers.get("x-radar-signing-id");
  if (signingId) {
    if (!(await verifySignature(tokens, signingId, signature))) throw unauthorized();
    const bytes = await readJsonBytes(request);
    return { body: parseJsonBody(bytes), bytes, signed: { scope: "signing-id", signed: signingId } };
  }
  if (env.RADAR_ACCEPT_LEGACY_SIGNATURE !== "true" || !signature || !decodeDigest(signature)) throw unauthorized();
  const bytes = await readJsonBytes(request);
  const body = parseJsonBody(bytes);
  const eventId = legacySigningMessage(body);
  if (!(await verifySignature(tokens, eventId, signature))) throw unauthorized();
  return { body, bytes, signed: { scope: "legacy", signed: eventId } };
}

function countTypes(events: RadarEvent[]): Map<string, number> {
  const types = new Map<string, number>();
  for (const e of events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
  return types;
}

async function toMessages(events: RadarEvent[], user: IngestMessage["user"], requestId: string): Promise<IngestMessage[]> {
  const receivedAt = new Date().toISOString();
  const ids = await assignEventIds(events);
  return events.map((event, i) => buildMessage({ id: ids[i]!, receivedAt, requestId, event, ...(user && { user }) }));
}

/** Each envelope serialized once; the geofence ones also go to the forward queue. */
function toGuardBatch(messages: IngestMessage[], forwardTypes: Set<string>): GuardBatch {
  const ingest = serializeEnvelopes(messages);
  const forward: GuardBatch["forward"] = { json: [], bytes: [] };
  messages.forEach((m, i) => {
    if (!forwardTypes.has(m.event.type)) return;
    forward.json.push(ingest.json[i]!);
    forward.bytes.push(ingest.bytes[i]!);
  });
  return { ingest, forward };
}

export const radarWebhook = new Hono<AppEnv>()
  .post("/", async (c) => {
    const { body, bytes, signed } = await readAuthorizedBody(c.env, c.req.raw);
    const parsed = RadarPayload.safeParse(body);
    if (!parsed.success) throw new ApiError("validation_failed", "body does not match the Radar webhook schema", toIssues(parsed.error));

    // Enqueue the events as received (not zod's copies), made well-formed once for every sink.
    const raw = body as { event?: RadarEvent; events?: RadarEvent[]; user?: IngestMessage["user"] };
    const wellFormed = toWellFormedJson({ events: raw.events ?? [raw.event!], user: raw.user }, bytes);
    const { events, user } = wellFormed.value;
    const record = requestRecord(c);
    record.repairedStrings = wellFormed.repaired;
    record.eventCount = events.length;
    record.eventTypes = countTypes(events);
    const messages = await toMessages(events, user, record.requestId);
    const batch = toGuardBatch(messages, parseForwardTypes(c.env.FORWARD_EVENT_TYPES));
    // The guard shard binds the signature and answers once the envelopes are on both queues.
    await submitToGuard(c.env, signed.scope, signed.signed, bytes, batch);
    return c.json({ accepted: messages.length, ids: messages.map((m) => m.id) }, 202);
  })
  .all("/", () => {
    throw new ApiError("method_not_allowed", "use POST", undefined, { Allow: "POST" });
  });
