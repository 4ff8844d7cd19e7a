// `npm run bench -- --only webhook`: just the webhook vs no-op A/B, into bench/tmp/ (never results.json).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { startPipeline } from "../../scripts/lib/local-pipeline.mjs";
import { measureWebhook } from "./webhook.mjs";

export async function runWebhookOnly({ smoke, out = join(ROOT, "bench", "tmp", "results-webhook.json") }) {
  const plan = smoke ? { rounds: 1, seconds: 1 } : { rounds: 3, seconds: 8 };
  const state = mkdtempSync(join(tmpdir(), "milk-bench-"));
  const pipeline = await startPipeline({ port: await freePort(), kinesisPort: 0, persistTo: state });
  let webhook;
  try {
    console.log(`\n▶ webhook: ${plan.rounds} A/B rounds of ${plan.seconds}s, ours vs no-op Worker`);
    webhook = await measureWebhook({ pipelineUrl: pipeline.url, token: pipeline.token, port: await freePort(), rounds: plan.rounds, seconds: plan.seconds });
  } finally {
    await pipeline.stop();
    rmSync(state, { recursive: true, force: true });
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ generated_at: new Date().toISOString(), mode: smoke ? "smoke" : "full", webhook }, null, 2) + "\n");
  console.log(`\n  webhook rps / no-op rps / ratio   ${webhook.rps} / ${webhook.noop_rps} / ${webhook.ratio} (goal ≥ 0.8)`);
  console.log(`  no-op + 1 log line rps            ${webhook.noop_with_log_rps}`);
  console.log(`  no-op + 1 queue send rps / ratio  ${webhook.noop_with_send_rps} / ${webhook.ratio_vs_noop_with_send}`);
  console.log(`  webhook p50 / p99 ms              ${webhook.p50_ms} / ${webhook.p99_ms}; non-2xx ${webhook.non2xx}`);
  console.log(`Wrote ${out}`);
  process.exit(0);
}
