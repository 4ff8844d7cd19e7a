// Optional vars that wrangler.toml does not set (so `wrangler types` cannot list them).
declare namespace Cloudflare {
  interface Env {
    /** 0..1: share of successful requests logged (default 0.001 in src/edge/request-log.ts). `npm start` sets 1. */
    LOG_SUCCESS_SAMPLE_RATE?: string;
    /** "<old count>@<ISO time>" for one window after SIGNING_GUARD_SHARDS changed (src/guard/shard-layout.ts). */
    SIGNING_GUARD_PREVIOUS_SHARDS?: string;
    /** Envelopes a guard shard holds waiting for a send before it refuses (default 5,000, src/guard/signing-guard.ts). */
    SIGNING_GUARD_MAX_WAITING?: string;
    /** Longest gather window of a busy guard shard, ms (default 1,000, at most 2,000; 0 turns gathering off; src/guard/gather-window.ts). */
    SIGNING_GUARD_GATHER_MS?: string;
  }
}
