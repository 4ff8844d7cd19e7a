// What each step of the webhook's work costs in workerd, measured one step at a time: GET /<part>?n=N
// runs the step N times inside one request, and bench/lib/hot-path-parts.mjs reads the runtime's
// CPU time from /proc around it. Every step calls the Worker's own code from src/.
import { RadarPayload } from "../src/contract/radar-payload";
import { sha256Hex128 } from "../src/edge/event-id";
import { buildMessage } from "../src/edge/enqueue";
import { parseJsonBody } from "../src/edge/read-json-body";
import { verifySignature } from "../src/edge/signature";
import { bindSignature } from "../src/guard/bind-signature";
import { writeHourGroup } from "../src/lake/batch-files";
import { IngestMessage } from "../src/contract/ingest-message";
import { normalizeEvent, type LocationRecord } from "../src/normalize";
import { hourPartition } from "../src/sinks/lake-keys";
// The webhook bench's event (bench/lib/webhook.mjs), so both measure the same body.
import SAMPLE_EVENT from "./sample-event.json";

export { SigningGuard } from "../src/guard/signing-guard";

const TOKEN = "hot-path-bench-token";
const BATCH = 100; // the lake writer's max_batch_size
const encoder = new TextEncoder();

function eventBody(id: string): Uint8Array {
  return encoder.encode(JSON.stringify({ event: { _id: id, createdAt: new Date().toISOString(), ...SAMPLE_EVENT } }));
}

async function hexSignature(id: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(TOKEN), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(id)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function message(id: string, bytes: Uint8Array): IngestMessage {
  const { event } = parseJsonBody(bytes) as { event: IngestMessage["event"] };
  return buildMessage({ id, receivedAt: new Date().toISOString(), requestId: crypto.randomUUID(), event });
}

type Part = (i: number, run: string) => Promise<unknown> | unknown;

function parts(env: Env, bytes: Uint8Array, signature: string): Record<string, Part> {
  const pending: LocationRecord[] = [];
  const raws: unknown[] = [];
  return {
    loop: () => undefined,
    hmac: async () => (await verifySignature([TOKEN], "hot-path-signing-id", signature)) || Promise.reject(new Error("bad signature")),
    hashes: (i, run) => Promise.all([sha256Hex128(encoder.encode(`signing-id\n${run}-${i}`)), sha256Hex128(bytes)]),
    json: () => parseJsonBody(bytes),
    zod: () => RadarPayload.safeParse(parseJsonBody(bytes)).success || Promise.reject(new Error("invalid sample")),
    // Fresh signing ids: the guard binds each one (its "new" path) and writes them behind.
    guard: (i, run) => bindSignature(env, "signing-id", `${run}-${i}`, bytes),
    send: (i, run) => env.INGEST_QUEUE.send(message(`${run}-${i}`, bytes), { contentType: "json" }),
    // What the lake writer does per message: validate, normalize, and one Parquet + raw pair per 100.
    lake: async (i, run) => {
      const parsed = IngestMessage.parse(message(`${run}-${i}`, bytes));
      pending.push(normalizeEvent(parsed, Date.now()));
      raws.push(parsed);
      if (pending.length < BATCH) return;
      const records = pending.splice(0);
      await writeHourGroup(env.LAKE_BUCKET, { partition: hourPartition(records[0]!.created_at), records, rawBodies: raws.splice(0) }, Date.now());
    },
  };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "0");
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
