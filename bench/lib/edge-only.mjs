// The edge Worker alone for the webhook bench: wrangler.toml's edge (routes, guard shards, queue
// producers) with its consumers and crons removed, and its queues drained by an ack-only consumer
// (bench/edge-ack-wrangler.toml), the same treatment the no-op reference's queue gets.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeDevConfig } from "../../scripts/lib/dev-config.mjs";
import { ensureDevVars, readDevVars, ROOT } from "../../scripts/lib/dev-vars.mjs";
import { startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";

/** Drops every top-level `[[queues.consumers]]` and `[triggers]` table: the edge only produces. */
export function withoutConsumers(toml) {
  let dropping = false;
  const kept = [];
  for (const line of toml.split("\n")) {
    if (/^\s*\[/.test(line)) dropping = /^\s*(\[\[queues\.consumers\]\]|\[triggers\])\s*$/.test(line);
    if (!dropping) kept.push(line);
  }
  return kept.join("\n");
}

/** @param {{ port: number, persistTo: string, vars?: Record<string,string> }} o */
export async function startEdgeOnly({ port, persistTo, vars = {} }) {
  ensureDevVars();
  const secrets = readDevVars();
  const config = writeDevConfig(secrets);
  const path = config.args[config.args.indexOf("--config") + 1];
  writeFileSync(path, withoutConsumers(readFileSync(path, "utf8")));
  const args = [...config.args, "--config", join(ROOT, "bench", "edge-ack-wrangler.toml"), "--persist-to", persistTo];
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  let worker;
  try {
    worker = await startWranglerDev({ args, port });
  } catch (err) {
    config.remove();
    throw err;
  }
  const stop = async () => {
    await worker.stop();
    config.remove();
  };
  return { url: worker.url, pid: worker.pid, stop };
}
