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
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], setupFiles: ["./test/fixtures/limits/setup.ts"], testTimeout: 30_000 },
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
