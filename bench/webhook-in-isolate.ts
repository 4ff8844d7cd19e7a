// The whole webhook inside one isolate: the edge's own fetch handler on signed requests,
// WEBHOOK_LOOPS at a time as wrk's connections are, so the guard shard packs and holds as it does
// under load. What it costs is ours alone: no HTTP, no wrangler proxy or Node in front of it
// (bench/lib/hot-path-parts.mjs reads the CPU of the whole dev session around the loop).
import edge from "../src/worker";
import SAMPLE_EVENT from "./sample-event.json";

/** Concurrent closed loops, as the webhook bench's wrk connections. */
export const WEBHOOK_LOOPS = 32;
const encoder = new TextEncoder();

interface SignedRequest {
  id: string;
  body: string;
  length: string;
  signature: string;
}
let prepared: SignedRequest[] = [];

/** The bench's event (the webhook bench's, bench/sample-event.json) as a Radar body with id `id`. */
export const eventJson = (id: string) => JSON.stringify({ event: { _id: id, createdAt: new Date().toISOString(), ...SAMPLE_EVENT } });

export const signingKey = (token: string) => crypto.subtle.importKey("raw", encoder.encode(token), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);

/** Radar's X-Radar-Signature for a signing id: HMAC-SHA1 in hex. */
export async function signHex(key: CryptoKey, signingId: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(signingId)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Signs `n` fresh requests before the measured loop: signing is the sender's work, not ours. */
export async function prepareWebhooks(token: string, n: number): Promise<void> {
  const key = await signingKey(token);
  const run = crypto.randomUUID();
  prepared = [];
  for (let i = 0; i < n; i++) {
    const id = `in-isolate-${run}-${i}`;
    const body = eventJson(id);
    prepared.push({ id, body, length: String(encoder.encode(body).byteLength), signature: await signHex(key, id) });
  }
}

/** Sends the prepared requests through the edge, WEBHOOK_LOOPS at a time; throws unless each got its 202. */
export async function runWebhooks(env: Env, ctx: ExecutionContext, token: string): Promise<number> {
  const requests = prepared;
  prepared = [];
  const edgeEnv = { ...env, RADAR_WEBHOOK_TOKEN: token };
  let next = 0;
  const loop = async () => {
    while (next < requests.length) {
      const { id, body, length, signature } = requests[next++]!;
      // Content-Length as wrk sends it, so the edge reads the body the way it does over HTTP.
      const headers = { "content-type": "application/json", "content-length": length, "x-radar-signing-id": id, "x-radar-signature": signature };
      const response = await edge.fetch(new Request("http://bench/webhooks/radar", { method: "POST", headers, body }), edgeEnv, ctx);
      if (response.status !== 202) throw new Error(`webhook ${id}: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: WEBHOOK_LOOPS }, loop));
  return requests.length;
}
