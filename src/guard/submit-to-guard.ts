import { ApiError } from "../errors";
import { sha256Hex128 } from "../edge/event-id";
import { recordMetric } from "../metrics";
import { PackSender, recordSend } from "./pack-sender";
import { previousShardName, readShardLayout, shardName } from "./shard-layout";
import type { GuardBatch, SubmitOutcome } from "./signing-guard";

const encoder = new TextEncoder();
const unavailable = () => new ApiError("guard_unavailable", "could not check the signature binding; retry later", undefined, { "Retry-After": "5" });

async function askGuard(env: Env, idHash: string, bodyHash: string, batch: GuardBatch): Promise<SubmitOutcome> {
  const layout = readShardLayout(env);
  if ("error" in layout) throw new Error(layout.error);
  const namespace = env.SIGNING_GUARD;
  const stub = (name: string) => namespace.get(namespace.idFromName(name));
  const previous = previousShardName(layout, idHash);
  // During a reshard the old shard is asked first: it may hold a binding the new one never saw.
  if (previous && (await stub(previous).check(idHash, bodyHash)) === "different") return "replayed";
  return stub(shardName(idHash, layout.count)).submit(idHash, bodyHash, batch);
}

/** Fail-open path: the request's own envelopes, sent without the guard (and without packing). */
async function sendUnguarded(env: Env, batch: GuardBatch): Promise<SubmitOutcome> {
  recordMetric(env.METRICS, { kind: "webhook", outcome: "guard_bypassed", label: "", count: 1 });
  const send = (role: keyof GuardBatch, queue: Queue) => new PackSender(() => queue, (r) => recordSend(env.METRICS, role, r)).submit(batch[role]);
  const sent = await Promise.all([send("ingest", env.INGEST_QUEUE), send("forward", env.FORWARD_QUEUE)]);
  return sent.every(Boolean) ? "accepted" : "queue_failed";
}

/**
 * Binds a verified signature to the body it first came with and enqueues the request's envelopes
 * through the shard that holds the binding, packed with concurrent requests' envelopes. `scope`
 * keeps the current and legacy schemes apart. Resolves once the envelopes are on the queue;
 * throws 401 `signature_replayed` for a different body, 503 `queue_unavailable` when the send
 * carrying them failed, 503 `guard_overloaded` when the shard's line is full, and 503
 * `guard_unavailable` when the guard cannot answer (unless SIGNING_GUARD_FAILURE_MODE is "open").
 */
export async function submitToGuard(env: Env, scope: string, signed: string, body: Uint8Array, batch: GuardBatch): Promise<void> {
  const [idHash, bodyHash] = await Promise.all([sha256Hex128(encoder.encode(`${scope}\n${signed}`)), sha256Hex128(body)]);
  let outcome: SubmitOutcome;
  try {
    outcome = await askGuard(env, idHash, bodyHash, batch);
  } catch {
    if (env.SIGNING_GUARD_FAILURE_MODE !== "open") throw unavailable();
    // Accepted without the binding: counted so an outage of the guard is visible.
    outcome = await sendUnguarded(env, batch);
  }
  if (outcome === "replayed") throw new ApiError("signature_replayed", "this signature was already used with another body");
  if (outcome === "queue_failed") throw new ApiError("queue_unavailable", "could not enqueue the events; retry later", undefined, { "Retry-After": "5" });
  if (outcome === "overloaded") throw new ApiError("guard_overloaded", "too many events waiting for this guard shard; retry shortly", undefined, { "Retry-After": "1" });
}
