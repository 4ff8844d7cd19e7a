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
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: TEST_BINDINGS,
              queueConsumers: { "milk-ingest": { maxBatchTimeout: 0.05 }, "milk-forward": { maxBatchTimeout: 0.05 } },
            },
          }),
        ],
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], silent: "passed-only" },
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
