#!/usr/bin/env node
// npm run deploy -- --env staging|production (or deploy:staging / deploy:production).
// Refuses to deploy the top-level environment: its resources are local-only names (docs/deploy.md).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseCli, usageError } from "./lib/cli.mjs";
import { ROOT } from "./lib/dev-vars.mjs";

const ENVIRONMENTS = ["staging", "production"];
const { values } = parseCli({
  help: `
usage: npm run deploy -- --env staging|production [--dry-run]
       npm run deploy:staging | npm run deploy:production

Deploys both Workers with \`wrangler deploy --env <env>\`: the edge (wrangler.toml), then the
compaction Worker (wrangler.compact.toml); it stops at the first that fails.
The environment is required: the top-level one is for local development and its resources are
not created by docs/deploy.md. --dry-run bundles and lists bindings without deploying.

example:
  npm run deploy -- --env staging --dry-run`,
  options: { env: { type: "string" }, "dry-run": { type: "boolean", default: false } },
});
if (!ENVIRONMENTS.includes(values.env)) {
  usageError(values.env ? `--env must be staging or production, got "${values.env}"` : "an environment is needed: npm run deploy:staging, npm run deploy:production, or --env");
}
// Edge first: a queue has one consumer Worker, so on an account where the edge still consumes
// milk-compact (before the split) the edge must drop it before the compaction Worker can take it.
const CONFIGS = [["wrangler.toml", "edge"], ["wrangler.compact.toml", "compact"]];
for (const [config, name] of CONFIGS) {
  const outdir = values["dry-run"] ? ["--dry-run", "--outdir", join(ROOT, "dist", name)] : [];
  const args = ["deploy", "--config", config, "--env", values.env, ...outdir];
  const result = spawnSync(process.execPath, [join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"), ...args], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
