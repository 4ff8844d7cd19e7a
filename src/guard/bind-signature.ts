import { ApiError } from "../errors";
import { sha256Hex128 } from "../edge/event-id";
import { recordMetric } from "../metrics";
import type { Verdict } from "./guard-index";

/**
 * Shards of the guard, chosen by the signing id's hash. One shard packs the most checks into
 * each row write (the cost driver) and holds 2 M keys (about 23 events/s for 24 h); raise it
 * past that rate (docs/security.md). Changing it moves ids between shards, so bindings
 * younger than 24 h are forgotten once.
 */
export const GUARD_SHARDS = 1;

const encoder = new TextEncoder();

// Shard ids per namespace, derived once per isolate: idFromName hashes the name on every call.
// Only the ids are kept; stubs are made per request, as a broken stub must not outlive its call.
const shardIds = new WeakMap<Env["SIGNING_GUARD"], DurableObjectId[]>();

function shardId(namespace: Env["SIGNING_GUARD"], shard: number): DurableObjectId {
  let ids = shardIds.get(namespace);
  if (!ids) shardIds.set(namespace, (ids = Array.from({ length: GUARD_SHARDS }, (_, i) => namespace.idFromName(`shard-${i}`))));
  return ids[shard]!;
}

async function askGuard(env: Env, idHash: string, bodyHash: string): Promise<Verdict> {
  const namespace = env.SIGNING_GUARD;
  const shard = parseInt(idHash.slice(0, 2), 16) % GUARD_SHARDS;
  return namespace.get(shardId(namespace, shard)).bind(idHash, bodyHash);
}

/**
 * Binds a verified signature to the body it first came with. `scope` keeps the current and
 * legacy schemes apart. Throws 401 `signature_replayed` for a different body; when the guard
 * cannot answer, 503 `guard_unavailable` unless SIGNING_GUARD_FAILURE_MODE is "open".
 */
export async function bindSignature(env: Env, scope: string, signed: string, body: Uint8Array): Promise<void> {
  const [idHash, bodyHash] = await Promise.all([sha256Hex128(encoder.encode(`${scope}\n${signed}`)), sha256Hex128(body)]);
  let verdict: Verdict;
  try {
    verdict = await askGuard(env, idHash, bodyHash);
  } catch {
    if (env.SIGNING_GUARD_FAILURE_MODE === "open") {
      // Accepted without the binding: count it so an outage of the guard is visible.
      recordMetric(env.METRICS, { kind: "webhook", outcome: "guard_bypassed", label: "", count: 1 });
      return;
    }
    throw new ApiError("guard_unavailable", "could not check the signature binding; retry later", undefined, { "Retry-After": "5" });
  }
  if (verdict === "different") throw new ApiError("signature_replayed", "this signature was already used with another body");
}
