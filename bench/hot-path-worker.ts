// What each step of the webhook's work costs under wrangler dev, one step at a time: GET /<part>?n=N
// runs the step N times inside one request, and bench/lib/hot-path-parts.mjs reads the CPU time of
// the whole wrangler dev process group from /proc around it. Every step calls the Worker's own code from src/.
import { RadarPayload } from "../src/contract/radar-payload";
import { sha256Hex128 } from "../src/edge/event-id";
import { buildMessage, serializeEnvelopes } from "../src/edge/enqueue";
import { parseJsonBody } from "../src/edge/read-json-body";
import { PACKED_CONTENT_TYPE, packEnvelopes } from "../src/contract/packed-message";
import { verifySignature } from "../src/edge/signature";
import { submitToGuard } from "../src/guard/submit-to-guard";
import { writeLakeBatch } from "../src/consumers/lake-writer";
import type { IngestMessage } from "../src/contract/ingest-message";
import { eventJson, prepareWebhooks, runWebhooks, signHex, signingKey } from "./webhook-in-isolate";

export { SigningGuard } from "../src/guard/signing-guard";

const TOKEN = "hot-path-bench-token";
const BATCH = 100; // the lake writer's max_batch_size
const encoder = new TextEncoder();

const eventBody = (id: string): Uint8Array => encoder.encode(eventJson(id));
const hexSignature = async (id: string) => signHex(await signingKey(TOKEN), id);

type Part = (i: number, run: string) => Promise<unknown> | unknown;

/** A queue message as the lake writer receives it. A retry means a failed write: the run fails loudly. */
function queueMessage(body: IngestMessage): Message<unknown> {
  const retry = () => {
    throw new Error(`lake writer retried ${body.id}`);
  };
  return { id: body.id, timestamp: new Date(), body, attempts: 1, ack: () => {}, retry };
}

function parts(env: Env, bytes: Uint8Array, signature: string): Record<string, Part> {
  // The event is parsed once: the queue send and the lake writer start from a parsed envelope.
  const { event } = parseJsonBody(bytes) as { event: IngestMessage["event"] };
  const message = (id: string) => buildMessage({ id, receivedAt: new Date().toISOString(), requestId: "hot-path", event: { ...event, _id: id } });
  // Four envelopes in one packed message, as a guard shard sends them.
  const packedFour = (id: string) => packEnvelopes(serializeEnvelopes([0, 1, 2, 3].map((k) => message(`${id}-${k}`))).json);
  const batch: Message<unknown>[] = [];
  return {
    loop: () => undefined,
    hmac: async () => (await verifySignature([TOKEN], "hot-path-signing-id", signature)) || Promise.reject(new Error("bad signature")),
    hashes: (i, run) => Promise.all([sha256Hex128(encoder.encode(`signing-id\n${run}-${i}`)), sha256Hex128(bytes)]),
    json: () => parseJsonBody(bytes),
    zod: () => RadarPayload.safeParse(parseJsonBody(bytes)).success || Promise.reject(new Error("invalid sample")),
    // Fresh signing ids: the guard binds each one (its "new" path) and writes them behind.
    guard: (i, run) => submitToGuard(env, "signing-id", `${run}-${i}`, bytes, { ingest: { json: [], bytes: [] }, forward: { json: [], bytes: [] } }),
    // The same, with the event sent by the shard (packed; one at a time here, so one per message).
    guard_send: (i, run) => submitToGuard(env, "signing-id", `${run}-${i}`, bytes, { ingest: serializeEnvelopes([message(`${run}-${i}`)]), forward: { json: [], bytes: [] } }),
    send: (i, run) => env.INGEST_QUEUE.send(message(`${run}-${i}`), { contentType: "json" }),
    // One packed message of four events (a closed-loop send carries about four requests), by
    // send and by a one-message sendBatch: the shard's two ways of sending it (pack-sender.ts).
    packed_send: (i, run) => env.INGEST_QUEUE.send(packedFour(`${run}-${i}`), { contentType: PACKED_CONTENT_TYPE }),
    packed_batch: (i, run) => env.INGEST_QUEUE.sendBatch([{ body: packedFour(`${run}-${i}`), contentType: PACKED_CONTENT_TYPE }]),
    // The lake writer itself, on batches of 100 (its max_batch_size): validation, normalizing,
    // one Parquet and one raw object, its log line and its metric point.
    lake: async (i, run) => {
      batch.push(queueMessage(message(`${run}-${i}`)));
      if (batch.length < BATCH) return;
      const messages = batch.splice(0);
      const metadata = { metrics: { backlogCount: 0, backlogBytes: 0 } };
      await writeLakeBatch({ queue: "milk-ingest", messages, metadata, ackAll: () => {}, retryAll: () => {} }, env);
    },
  };
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "0");
    // The whole webhook runs its prepared requests concurrently (webhook-in-isolate.ts), not step by step.
    if (url.pathname === "/webhook_prepare") {
      await prepareWebhooks(TOKEN, n);
      return Response.json({ prepared: n });
    }
    if (url.pathname === "/webhook") return Response.json({ n: await runWebhooks(env, ctx, TOKEN) });
    const run = crypto.randomUUID();
    const part = parts(env, eventBody("hot-path-event"), await hexSignature("hot-path-signing-id"))[url.pathname.slice(1)];
    if (!part) return Response.json({ error: "unknown part" }, { status: 404 });
    for (let i = 0; i < n; i++) await part(i, run);
    return Response.json({ n });
  },
  async queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<Env, unknown>;
