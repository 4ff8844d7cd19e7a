import type { PackRequest } from "./pack-plan";

/** A request's envelopes for each queue (forward holds the geofence subset). */
export interface GuardBatch {
  ingest: PackRequest;
  forward: PackRequest;
}

export type SubmitOutcome = "accepted" | "replayed" | "queue_failed" | "overloaded";

export interface GuardStats {
  entries: number;
  evicted: number;
  flushes: number;
  failedFlushes: number;
  /** Bindings answered but not yet written. */
  pending: number;
  rowsWritten: number;
  sends: number;
  /** Envelopes waiting for or in a send to the ingest queue. */
  waiting: number;
  /** Gather windows opened (a busy shard waiting for more requests to share a send). */
  windows: number;
  /** Holds opened for a closed loop's sends (hold-count.ts), those ended by a lull, and the count the next one waits for. */
  holds: number;
  holdLulls: number;
  holdCount: number;
}

/** A numeric var: unset, empty or invalid gives the fallback; capped at `max`. */
export function envNumber(value: string | undefined, fallback: number, max = Infinity): number {
  const n = Number(value ?? fallback);
  return Number.isFinite(n) && n >= 0 && value !== "" ? Math.min(n, max) : fallback;
}
