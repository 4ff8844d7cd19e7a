// Optional vars that wrangler.toml does not set (so `wrangler types` cannot list them).
declare namespace Cloudflare {
  interface Env {
    /** 0..1: share of successful requests logged (default 0.01 in src/edge/request-log.ts). `npm start` sets 1. */
    LOG_SUCCESS_SAMPLE_RATE?: string;
  }
}
