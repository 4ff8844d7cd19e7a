import { WINDOW_MINUTES } from "./guard-index";

/**
 * Which guard shard holds a signing id. SIGNING_GUARD_SHARDS sets the count (docs/security.md has
 * the sizing formula). A change of count moves ids between shards, so for one window after it
 * SIGNING_GUARD_PREVIOUS_SHARDS = "<old count>@<ISO time of the change>" keeps the old layout
 * consulted (read only): a binding younger than the window is never forgotten.
 */
export interface ShardLayout {
  count: number;
  previous?: { count: number; untilMs: number };
}

export const MAX_SHARDS = 1024;

function parseCount(value: string | undefined): number | undefined {
  const n = Number(value?.trim() || "1");
  return Number.isInteger(n) && n >= 1 && n <= MAX_SHARDS ? n : undefined;
}

/** The layout, or a reason it is misconfigured (the guard then fails closed). */
export function readShardLayout(env: Pick<Env, "SIGNING_GUARD_SHARDS" | "SIGNING_GUARD_PREVIOUS_SHARDS">): ShardLayout | { error: string } {
  const count = parseCount(env.SIGNING_GUARD_SHARDS);
  if (count === undefined) return { error: `SIGNING_GUARD_SHARDS must be an integer from 1 to ${MAX_SHARDS}` };
  const previous = env.SIGNING_GUARD_PREVIOUS_SHARDS?.trim();
  if (!previous) return { count };
  const [oldCount, since] = previous.split("@");
  const old = parseCount(oldCount);
  const sinceMs = Date.parse(since ?? "");
  if (old === undefined || !Number.isFinite(sinceMs)) return { error: 'SIGNING_GUARD_PREVIOUS_SHARDS must be "<count>@<ISO time>"' };
  return { count, previous: { count: old, untilMs: sinceMs + WINDOW_MINUTES * 60_000 } };
}

/** The shard's object name for an id hash (32 hex chars) under `count` shards. */
export function shardName(idHash: string, count: number): string {
  return `shard-${parseInt(idHash.slice(0, 8), 16) % count}`;
}

/** The previous layout's shard to consult as well, while the window since the change lasts. */
export function previousShardName(layout: ShardLayout, idHash: string, nowMs = Date.now()): string | undefined {
  if (!layout.previous || nowMs >= layout.previous.untilMs) return undefined;
  const old = shardName(idHash, layout.previous.count);
  return old === shardName(idHash, layout.count) ? undefined : old;
}
