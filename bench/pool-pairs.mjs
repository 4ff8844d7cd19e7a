// node bench/pool-pairs.mjs RESULT.json ...: the webhook's ratio to the no-op over the pairs of
// several bench runs of the same code (each file's `webhook.pair_rates`, or a webhook summary
// itself), with the pairs' 95 % bootstrap interval. Runs drift apart by more than one run's
// interval (docs/performance.md, 2026-12-05), so runs made at different times spread the pairs over
// the machine's phases; the bootstrap still treats every pair as independent of its run's phase.
import { readFileSync } from "node:fs";
import { poolPairs } from "./lib/webhook-summary.mjs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node bench/pool-pairs.mjs RESULT.json [RESULT.json ...]");
  process.exit(2);
}
const summaries = files.map((file) => {
  const result = JSON.parse(readFileSync(file, "utf8"));
  return result.webhook ?? result;
});
try {
  console.log(JSON.stringify({ files, ...poolPairs(summaries) }, null, 2));
} catch (err) {
  console.error(`pool-pairs: ${err.message}`);
  process.exit(1);
}
