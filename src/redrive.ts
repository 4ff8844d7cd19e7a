import { ApiError, errorMessage } from "./errors";
import type { QueueOrigin } from "./queue-roles";

/** Claim markers live outside `dead-letter/` so listing parked messages never returns them. */
export const CLAIM_PREFIX = "redrive-claims/";
/**
 * A claim is a lease: a run needs seconds from claim to cleanup, so a claim older than this
 * belongs to a run that died (or whose cleanup R2 refused) and the next run takes it over.
 */
export const CLAIM_LEASE_MS = 5 * 60_000;
/**
 * Up to six binding calls per message (claim read and put, get, send, two deletes): 150 a
 * call stays under 1,000 subrequests, the stricter of the per-invocation limits Cloudflare has published.
 */
export const MAX_REDRIVE_PER_CALL = 150;

export interface RedriveResult {
  redriven: number;
  /** Parked objects another run holds a live claim on (running now, or died less than a lease ago). */
  claimed: number;
  /** Of `redriven`, those whose claim was stale and taken over: possibly sent before (at least once). */
  takenOver: number;
  more: boolean;
}

interface Claim {
  runId: string;
  claimedAt: string;
}

/** When a held claim was made: its own timestamp, else the object's upload time. */
async function claimedAtMs(held: R2ObjectBody): Promise<number> {
  const claim = await held.json<Partial<Claim>>().catch(() => ({}) as Partial<Claim>);
  return Date.parse(claim.claimedAt ?? "") || held.uploaded.getTime();
}

/** R2's answer to a second write of one key within a second (HTTP 429, code 10058): another run is writing this claim. */
const isRateLimited = (err: unknown) => /\b(10058|429)\b/.test(errorMessage(err));

/** Conditional put of a claim; not won if it fails its condition or R2 refuses it as a concurrent write. */
async function putClaim(bucket: R2Bucket, claimKey: string, marker: string, onlyIf: R2Conditional): Promise<boolean> {
  try {
    return (await bucket.put(claimKey, marker, { onlyIf })) !== null;
  } catch (err) {
    if (isRateLimited(err) || (await bucket.head(claimKey))) return false;
    throw err;
  }
}

/**
 * Claims a parked object for one run: "new" (create-only put: R2 checks and writes in one step,
 * so of two runs at once exactly one wins), "taken-over" (the claim was older than the lease and
 * this run replaced it, conditional on its etag so two takers cannot both win), or null (held).
 * The claim is read first so an attempt writes its key once: two writes within a second draw a 429.
 */
export async function claimParked(bucket: R2Bucket, key: string, runId: string, nowMs: number): Promise<"new" | "taken-over" | null> {
  const claimKey = `${CLAIM_PREFIX}${key}`;
  const marker = JSON.stringify({ runId, claimedAt: new Date(nowMs).toISOString() } satisfies Claim);
  const held = await bucket.get(claimKey);
  if (!held) return (await putClaim(bucket, claimKey, marker, { etagDoesNotMatch: "*" })) ? "new" : null;
  if (nowMs - (await claimedAtMs(held)) < CLAIM_LEASE_MS) return null;
  return (await putClaim(bucket, claimKey, marker, { etagMatches: held.etag })) ? "taken-over" : null;
}

/** Drops a claim; R2 may refuse (1 write/s per key, and the claim was just written): the lease then frees it. */
async function releaseClaim(bucket: R2Bucket, claimKey: string): Promise<void> {
  try {
    await bucket.delete(claimKey);
  } catch (err) {
    console.error(JSON.stringify({ msg: "redrive claim not released; its lease frees it", key: claimKey, leaseMs: CLAIM_LEASE_MS, error: errorMessage(err) }));
  }
}

/** Sends one claimed object; false when another run already finished it (nothing left to send). */
async function sendClaimed(bucket: R2Bucket, target: Queue, key: string, sentSoFar: number): Promise<boolean> {
  const claimKey = `${CLAIM_PREFIX}${key}`;
  const parked = await (await bucket.get(key))?.json<{ body: unknown }>();
  if (!parked) {
    await releaseClaim(bucket, claimKey);
    return false;
  }
  try {
    // A packed message was text (src/contract/packed-message.ts): as JSON its quotes would be escaped and it could outgrow 128 KB.
    await target.send(parked.body, { contentType: typeof parked.body === "string" ? "text" : "json" });
  } catch (err) {
    // Not sent: release the claim so the next run sends it (after the lease if R2 refuses the release).
    console.error(JSON.stringify({ msg: "redrive send failed", key, redriven: sentSoFar, error: errorMessage(err) }));
    await releaseClaim(bucket, claimKey);
    throw new ApiError("queue_unavailable", `queue refused a send after ${sentSoFar} parked message(s) were redriven; run redrive again`);
  }
  // Sent. If deleting the parked copy fails, its claim keeps later runs off it for one lease; after
  // that a run sends it again (at least once: consumers drop a repeated event id).
  await bucket.delete(key);
  await releaseClaim(bucket, claimKey);
  return true;
}

/**
 * Sends parked dead letters of `origin` back to `target`: claim, send, delete the parked copy,
 * drop the claim. Concurrent runs skip what another run claimed less than a lease ago; a stale
 * claim is taken over, so no parked message is skipped forever. A refused send stops the run
 * with 503; what was sent stays sent.
 */
export async function redriveParked(bucket: R2Bucket, target: Queue, origin: QueueOrigin, limit: number, nowMs: number): Promise<RedriveResult> {
  const runId = crypto.randomUUID();
  const page = await bucket.list({ prefix: `dead-letter/${origin}/`, limit: Math.min(limit, MAX_REDRIVE_PER_CALL) });
  const result: RedriveResult = { redriven: 0, claimed: 0, takenOver: 0, more: page.truncated };
  for (const object of page.objects) {
    const claim = await claimParked(bucket, object.key, runId, nowMs);
    if (!claim) {
      result.claimed++;
      continue;
    }
    if (!(await sendClaimed(bucket, target, object.key, result.redriven))) continue;
    result.redriven++;
    if (claim === "taken-over") result.takenOver++;
  }
  return result;
}
