import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Bindings for tests: harmless values, never read from .dev.vars (absent in CI). */
export const TEST_BINDINGS = {
  RADAR_WEBHOOK_TOKEN: "synthetic-webhook-token-0000,second-rotation-token-1111",
  AWS_ACCESS_KEY_ID: "test-access-key",
  AWS_SECRET_ACCESS_KEY: "test-secret-key",
  KINESIS_ENDPOINT: "https://kinesis.test.invalid",
  KINESIS_STREAM_NAME: "test-stream",
  ADMIN_TOKEN: "test-admin-token",
  // Webhook tests run requests one after another; the packing test sets its own window.
  SIGNING_GUARD_COALESCE_MS: "0",
  // Seconds per rate for test/workers/guard-cost.test.ts; empty skips that measurement.
  GUARD_COST_SECONDS: process.env.GUARD_COST_SECONDS ?? "",
  // The table keeps one snapshot in tests, so files a compaction replaced are deleted at its commit.
  TABLE_RETAIN_SNAPSHOTS: "1",
  TABLE_SNAPSHOT_MAX_AGE_MS: "0",
};

/**
 * Workers' console output goes straight to workerd's stdout, not through vitest's console spy. The
 * spy answers each line by RPC, and a line logged from another request's context (a queue
 * consumer, waitUntil) is parked until the runner's next message; logged after a file's last
 * message, it is never answered, and vitest waits for that file forever (cloudflare/workers-sdk
 * #15719). That hung one CI run and one local run (2026-12-04). test/fixtures/quiet-console.ts
 * keeps the output of passing tests quiet instead; test/node/late-log.test.ts guards this.
 */
export const WORKERS_CONSOLE = { disableConsoleIntercept: true };

export default defineConfig({
  test: {
    // Quiet runs: console output only from failing tests (as a root option: per project it is
    // ignored), and the dot reporter's summary; `npx vitest run --reporter default` lists every test.
    silent: "passed-only",
    // The watchdog ends a run in which nothing has finished for minutes (test/reporters/stall-watchdog.ts).
    reporters: ["dot", "./test/reporters/stall-watchdog.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: TEST_BINDINGS,
              queueConsumers: { "milk-ingest": { maxBatchTimeout: 0.05 }, "milk-forward": { maxBatchTimeout: 0.05 }, "milk-table": { maxBatchTimeout: 0.05 } },
            },
          }),
        ],
        // Every signed webhook now waits for a durable signing-guard write, so request-heavy
        // property tests need more than vitest's default 5 s on a shared CPU.
        // setupFiles: the production-limits harness (test/fixtures/limits/setup.ts) wraps every binding.
        test: { name: "workers", ...WORKERS_CONSOLE, include: ["test/workers/**/*.test.ts"], setupFiles: ["./test/fixtures/limits/setup.ts", "./test/fixtures/quiet-console.ts"], testTimeout: 30_000 },
      },
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
