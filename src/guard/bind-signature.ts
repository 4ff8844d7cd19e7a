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

async function askGuard(env: Env, idHash: string, bodyHash: string): Promise<Verdict> {
  const namespace = env.SIGNING_GUARD;
  const shard = parseInt(idHash.slice(0, 2), 16) % GUARD_SHARDS;
  return namespace.get(namespace.idFromName(`shard-${shard}`)).bind(idHash, bodyHash);
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
