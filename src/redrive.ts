import { ApiError, errorMessage } from "./errors";
import type { QueueOrigin } from "./queue-roles";

/** Claim markers live outside `dead-letter/` so listing parked messages never returns them. */
export const CLAIM_PREFIX = "redrive-claims/";
/**
 * Up to five binding calls per message (claim, get, send, two deletes): 150 a call stays under
 * 1,000 subrequests, the stricter of the per-invocation limits Cloudflare has published.
 */
export const MAX_REDRIVE_PER_CALL = 150;

export interface RedriveResult {
  redriven: number;
  /** Parked objects another run holds a claim on (running now, or died after sending). */
  claimed: number;
  more: boolean;
}

/**
 * Create-only put of `redrive-claims/<key>`: R2 checks and writes in one step, so of two
 * runs at once exactly one gets a non-null result and may send the parked message.
 */
export async function claimParked(bucket: R2Bucket, key: string, runId: string, nowMs: number): Promise<boolean> {
  const marker = JSON.stringify({ runId, claimedAt: new Date(nowMs).toISOString() });
  return (await bucket.put(`${CLAIM_PREFIX}${key}`, marker, { onlyIf: { etagDoesNotMatch: "*" } })) !== null;
}

/** Sends one claimed object; false when another run already finished it (nothing left to send). */
async function sendClaimed(bucket: R2Bucket, target: Queue, key: string, sentSoFar: number): Promise<boolean> {
  const claimKey = `${CLAIM_PREFIX}${key}`;
  const parked = await (await bucket.get(key))?.json<{ body: unknown }>();
  if (!parked) {
    await bucket.delete(claimKey);
    return false;
  }
  try {
    // A packed message was text (src/contract/packed-message.ts): as JSON its quotes would be escaped and it could outgrow 128 KB.
    await target.send(parked.body, { contentType: typeof parked.body === "string" ? "text" : "json" });
  } catch (err) {
    // Not sent: release the claim so the next run sends it.
    console.error(JSON.stringify({ msg: "redrive send failed", key, redriven: sentSoFar, error: errorMessage(err) }));
    await bucket.delete(claimKey);
    throw new ApiError("queue_unavailable", `queue refused a send after ${sentSoFar} parked message(s) were redriven; run redrive again`);
  }
  // Sent. The claim goes last: if deleting the parked copy fails, the claim stays and
  // keeps every later run from sending it again.
  await bucket.delete(key);
  await bucket.delete(claimKey);
  return true;
}

/**
 * Sends parked dead letters of `origin` back to `target`, each at most once: claim, send,
 * delete the parked copy, drop the claim. Concurrent runs and reruns after a failure skip
 * whatever another run claimed. A refused send stops the run with 503; what was sent stays sent.
 */
export async function redriveParked(bucket: R2Bucket, target: Queue, origin: QueueOrigin, limit: number, nowMs: number): Promise<RedriveResult> {
  const runId = crypto.randomUUID();
  const page = await bucket.list({ prefix: `dead-letter/${origin}/`, limit: Math.min(limit, MAX_REDRIVE_PER_CALL) });
  const result: RedriveResult = { redriven: 0, claimed: 0, more: page.truncated };
  for (const object of page.objects) {
    if (!(await claimParked(bucket, object.key, runId, nowMs))) {
      result.claimed++;
      continue;
    }
    if (await sendClaimed(bucket, target, object.key, result.redriven)) result.redriven++;
  }
  return result;
}
