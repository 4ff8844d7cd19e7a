// The webhook bench's mandatory-work floor (?checked=1): what any Worker that meets the spec must do
// per request, written with the fewest steps and ours' own check functions. It verifies the Radar
// signature, reads the body within its cap, parses strict JSON, validates it with the Radar schema,
// gives each event its id, hashes the signing id and the body, binds them in one object, and answers
// 202 once the events, packed with concurrent requests' events, are on the queue. None of ours'
// engineering beyond that: no Hono, envelopes, durable bindings, gather windows, holds or metrics.
// Every other path is the no-op's (bench/noop-worker.js), so this session is also the shaped no-op.
import { RadarPayload, type RadarEvent } from "../src/contract/radar-payload";
import { assignEventIds, sha256Hex128 } from "../src/edge/event-id";
import { parseJsonBody, readBodyLimited } from "../src/edge/read-json-body";
import { parseTokenList, verifySignature } from "../src/edge/signature";
import noop, { Floor } from "./noop-worker.js";

export { Floor };

interface FloorEnv {
  RADAR_WEBHOOK_TOKEN: string;
  QUEUE: Queue;
  CHECKED: DurableObjectNamespace<CheckedFloor>;
}

/** Bindings kept in memory only (a floor needs no durability); cleared past this many. */
const MAX_BINDINGS = 200_000;

/** The packing floor's object (bench/noop-worker.js) that first binds each signing id to its body. */
export class CheckedFloor extends Floor {
  private bindings = new Map<string, string>();

  submit(idHash: string, bodyHash: string, text: string): Promise<string> | string {
    const bound = this.bindings.get(idHash);
    if (bound !== undefined) return bound === bodyHash ? "same" : "different";
    if (this.bindings.size >= MAX_BINDINGS) this.bindings.clear();
    this.bindings.set(idHash, bodyHash);
    return this.pack(text);
  }
}

const encoder = new TextEncoder();
const refuse = (status: number, error: string) => Response.json({ error }, { status });

async function checkedFloor(request: Request, env: FloorEnv): Promise<Response> {
  const tokens = parseTokenList(env.RADAR_WEBHOOK_TOKEN);
  const signingId = request.headers.get("x-radar-signing-id") ?? "";
  const signature = request.headers.get("x-radar-signature") ?? undefined;
  if ("error" in tokens || !(await verifySignature(tokens.tokens, signingId, signature))) return refuse(401, "unauthorized");
  const bytes = await readBodyLimited(request);
  const body = parseJsonBody(bytes) as { event?: RadarEvent; events?: RadarEvent[] };
  if (!RadarPayload.safeParse(body).success) return refuse(400, "validation_failed");
  const events = body.events ?? [body.event!];
  const ids = await assignEventIds(events);
  const [idHash, bodyHash] = await Promise.all([sha256Hex128(encoder.encode(`signing-id\n${signingId}`)), sha256Hex128(bytes)]);
  const text = events.map((event, i) => JSON.stringify({ id: ids[i], event })).join("\n");
  const verdict = await env.CHECKED.get(env.CHECKED.idFromName("floor")).submit(idHash, bodyHash, text);
  if (verdict === "different") return refuse(401, "signature_replayed");
  return Response.json({ accepted: events.length, ids }, { status: 202 });
}

export default {
  fetch(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> | Response {
    // A substring test, so the shaped no-op's own path costs no more than the plain no-op's.
    return request.url.includes("checked=1") ? checkedFloor(request, env) : noop.fetch(request, env, ctx);
  },
  queue: noop.queue,
};
