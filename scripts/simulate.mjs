#!/usr/bin/env node
// npm run simulate -- --drivers N --minutes M [--url U] [--speedup S] [--seed N]
//   [--replay-rate R] [--duplicate-rate R] [--concurrency C] [--token T]
import { parseArgs } from "node:util";
import { ensureDevVars, readDevVars } from "./lib/dev-vars.mjs";
import { runSimulation } from "./lib/simulator.mjs";

const { values } = parseArgs({
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

ensureDevVars();
const token = values.token ?? readDevVars().RADAR_WEBHOOK_TOKEN.split(",")[0].trim();
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

const summary = await runSimulation({
  url: values.url.replace(/\/+$/, ""),
  token,
  drivers: Number(values.drivers),
  minutes: Number(values.minutes),
  speedup: Number(values.speedup),
  seed: Number(values.seed),
  replayRate: Number(values["replay-rate"]),
  duplicateRate: Number(values["duplicate-rate"]),
  concurrency: Number(values.concurrency),
  onProgress: progress,
});
if (tty) process.stdout.write("\n");
console.log(`
Simulation summary (${values.drivers} drivers, ${values.minutes} simulated minutes, seed ${values.seed})
  sent        ${summary.sent}
  accepted    ${summary.accepted}  (${summary.acceptedIds.size} distinct event ids)
  refused     ${summary.refused}
  failed      ${summary.failed}
  statuses    ${JSON.stringify(summary.statuses)}
  latency     p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms
  wall time   ${summary.seconds.toFixed(1)} s`);
process.exit(summary.failed > 0 ? 1 : 0);
