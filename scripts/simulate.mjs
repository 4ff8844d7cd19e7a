#!/usr/bin/env node
// npm run simulate -- [options]: a deterministic milk-route fleet, signed as Radar signs, sent to the webhook.
import { connectionHint, fail, intOption, numberOption, parseCli, urlOption, usageError } from "./lib/cli.mjs";
import { ensureDevVars, readDevVars } from "./lib/dev-vars.mjs";
import { runSimulation } from "./lib/simulator.mjs";

const { values } = parseCli({
  help: `
usage: npm run simulate -- [options]

Sends a generated fleet of milk-route drivers to POST <url>/webhooks/radar. Exits 1 when any
request is refused or fails, or when nothing listens at --url.

options:
  --drivers N          drivers (1-10000, default 10)
  --minutes M          simulated minutes (1-10080, default 30)
  --speedup S          simulated seconds per real second, 0 = as fast as possible (default 60)
  --seed N             same seed, same events (default 42)
  --replay-rate R      share of late, replayed events, 0-1 (default 0.02)
  --duplicate-rate R   share of duplicate deliveries, 0-1 (default 0.01)
  --concurrency C      requests in flight (1-256, default 16)
  --url URL            the Worker (default http://127.0.0.1:$PORT or :8787, i.e. \`npm start\`)
  --token T            webhook token (default: the first RADAR_WEBHOOK_TOKEN in .dev.vars)

example:
  npm run simulate -- --drivers 50 --minutes 120 --speedup 0`,
  options: {
    drivers: { type: "string", default: "10" },
    minutes: { type: "string", default: "30" },
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 8787}` },
    speedup: { type: "string", default: "60" },
    seed: { type: "string", default: "42" },
    "replay-rate": { type: "string", default: "0.02" },
    "duplicate-rate": { type: "string", default: "0.01" },
    concurrency: { type: "string", default: "16" },
    token: { type: "string" },
  },
});
const options = {
  url: urlOption(values),
  drivers: intOption(values, "drivers", { min: 1, max: 10_000 }),
  minutes: intOption(values, "minutes", { min: 1, max: 10_080 }),
  speedup: numberOption(values, "speedup", { min: 0, max: 1e6 }),
  seed: intOption(values, "seed", { max: 2 ** 32 - 1 }),
  replayRate: numberOption(values, "replay-rate", { max: 1 }),
  duplicateRate: numberOption(values, "duplicate-rate", { max: 1 }),
  concurrency: intOption(values, "concurrency", { min: 1, max: 256 }),
};
if (values.token === "") usageError("--token must not be empty");
ensureDevVars();
const token = values.token ?? readDevVars().RADAR_WEBHOOK_TOKEN?.split(",")[0].trim();
if (!token) fail("no webhook token", "set RADAR_WEBHOOK_TOKEN in .dev.vars or pass --token");

// Fail fast, with a hint, when nothing answers: otherwise every request would count as status 0.
try {
  await fetch(`${options.url}/healthz`);
} catch (err) {
  fail(`cannot reach the webhook`, connectionHint(options.url, err));
}

const tty = process.stdout.isTTY;
let lastShown = -1;
function progress(done, total) {
  const pct = Math.floor((done / total) * 100);
  if (pct === lastShown) return;
  lastShown = pct;
  const bar = "#".repeat(Math.floor(pct / 2.5)).padEnd(40, ".");
  if (tty) process.stdout.write(`\r[${bar}] ${pct}% ${done}/${total}`);
  else if (pct % 10 === 0) console.log(`[${bar}] ${pct}% ${done}/${total}`);
}

const summary = await runSimulation({ ...options, token, onProgress: progress });
if (tty) process.stdout.write("\n");
console.log(`
Simulation summary (${options.drivers} drivers, ${options.minutes} simulated minutes, seed ${options.seed})
  sent        ${summary.sent}
  accepted    ${summary.accepted}  (${summary.acceptedIds.size} distinct event ids)
  refused     ${summary.refused}
  failed      ${summary.failed}
  statuses    ${JSON.stringify(summary.statuses)}
  latency     p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms
  wall time   ${summary.seconds.toFixed(1)} s`);
if (summary.statuses[0]) fail(`${summary.statuses[0]} request(s) got no answer`, connectionHint(options.url, { code: "ECONNREFUSED" }));
if (summary.statuses[401]) fail(`${summary.statuses[401]} request(s) refused as unauthorized`, "the token does not match the Worker's RADAR_WEBHOOK_TOKEN; check .dev.vars or --token");
if (summary.refused || summary.failed) fail(`${summary.refused} request(s) refused and ${summary.failed} failed`, "the statuses above say why; the Worker's log lines (npm start output) carry the reason");
