// Webhook cost: our signed POST /webhooks/radar against a no-op Worker in the same runtime
// (wrangler dev / workerd), same load generator (autocannon), alternating A/B rounds.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { startWranglerDev } from "../../scripts/lib/local-pipeline.mjs";
import { radarSignature } from "../../scripts/lib/simulator.mjs";
import { groupCpuMs } from "./proc-cpu.mjs";

const SAMPLE_EVENT = JSON.parse(readFileSync(join(ROOT, "bench", "sample-event.json"), "utf8"));

function signedRequestFactory(token) {
  let n = 0;
  // A fresh event id and signing id per request, as real traffic: the lake writer cannot collapse
  // them, and the signing guard (src/guard/) refuses a signing id reused with another body.
  return () => {
    const id = `bench-${process.pid}-${++n}`;
    const headers = { "content-type": "application/json", "x-radar-signing-id": id, "x-radar-signature": radarSignature(token, id) };
    const body = JSON.stringify({ event: { _id: id, createdAt: new Date().toISOString(), ...SAMPLE_EVENT } });
    return { headers, body };
  };
}

/** One closed-loop run; `pgid` is the serving wrangler dev's process group, for CPU per request. */
async function load(url, path, factory, seconds, connections, pgid) {
  const cpuBefore = pgid ? groupCpuMs(pgid) : null;
  const result = await autocannon({
    url: url + path,
    method: "POST",
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, ...factory() }) }],
  });
  const cpuAfter = pgid ? groupCpuMs(pgid) : null;
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, cpuMs };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (x) => +x.toFixed(3);

/**
 * Rounds alternate which of ours and the no-op goes first (ABAB / BABA): the lake writer drains
 * our backlog for up to its batch timeout after our run, and that tail must not always land on
 * the no-op. The two references follow, in alternating order too.
 */
async function runRounds({ ours, noop, rounds }) {
  const runs = { ours: [], reference: [], logging: [], sending: [] };
  const loads = {
    ours: () => ours("/webhooks/radar"),
    reference: () => noop("/webhooks/radar"),
    logging: () => noop("/webhooks/radar?log=1"),
    sending: () => noop("/webhooks/radar?send=1"),
  };
  await ours("/webhooks/radar", 1); // warm-up
  await noop("/webhooks/radar", 1);
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ["ours", "reference", "logging", "sending"] : ["reference", "ours", "sending", "logging"];
    for (const name of order) runs[name].push(await loads[name]());
  }
  return runs;
}

/** @param {{ pipelineUrl: string, pipelinePgid?: number, token: string, port: number, rounds: number, seconds: number, connections?: number }} o */
export async function measureWebhook({ pipelineUrl, pipelinePgid, token, port, rounds, seconds, connections = 16 }) {
  const noop = await startWranglerDev({ args: ["-c", join(ROOT, "bench", "noop-wrangler.toml")], port, readyPath: "/" });
  const factory = signedRequestFactory(token);
  let runs;
  try {
    runs = await runRounds({
      ours: (path, s = seconds) => load(pipelineUrl, path, factory, s, connections, pipelinePgid),
      noop: (path, s = seconds) => load(noop.url, path, factory, s, connections, noop.pid),
      rounds,
    });
  } finally {
    await noop.stop();
  }
  return summarize(runs, { rounds, seconds, connections });
}

function summarize({ ours, reference, logging, sending }, { rounds, seconds, connections }) {
  const rps = mean(ours.map((r) => r.rps));
  const noopRps = mean(reference.map((r) => r.rps));
  const loggingRps = mean(logging.map((r) => r.rps));
  const sendingRps = mean(sending.map((r) => r.rps));
  // Ratio within each round (ours and the no-op ran back to back): the spread across rounds.
  const roundRatios = ours.map((r, i) => r.rps / reference[i].rps);
  const cpu = (runs) => (runs.every((r) => r.cpuMs !== null) ? r3(median(runs.map((r) => r.cpuMs))) : null);
  return {
    rps: Math.round(rps),
    noop_rps: Math.round(noopRps),
    ratio: r3(rps / noopRps),
    ratio_median: r3(median(roundRatios)),
    ratio_min: r3(Math.min(...roundRatios)),
    ratio_max: r3(Math.max(...roundRatios)),
    p50_ms: mean(ours.map((r) => r.p50)),
    p99_ms: mean(ours.map((r) => r.p99)),
    noop_p50_ms: mean(reference.map((r) => r.p50)),
    // CPU of each wrangler dev (wrangler, its proxy workerd, the Worker's workerd) per request,
    // median over rounds; ours includes the lake writer draining the queue on the same cores.
    cpu_ms_per_request: cpu(ours),
    noop_cpu_ms_per_request: cpu(reference),
    // The same no-op plus one console.log per request, as ours logs: isolates the log transport cost.
    noop_with_log_rps: Math.round(loggingRps),
    ratio_vs_noop_with_log: r3(rps / loggingRps),
    // The same no-op plus one awaited queue send: the floor for any Worker that must enqueue before 202.
    noop_with_send_rps: Math.round(sendingRps),
    ratio_vs_noop_with_send: r3(rps / sendingRps),
    non2xx: ours.reduce((n, r) => n + r.non2xx + r.errors, 0),
    rounds,
    seconds_per_round: seconds,
    connections,
  };
}
