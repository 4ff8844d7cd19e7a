// Webhook cost: our signed POST /webhooks/radar against a no-op Worker in the same runtime
// (wrangler dev / workerd), same C load generator (wrk, bench/lib/wrk.mjs), alternating A/B rounds.
// "Ours" is the edge Worker alone (bench/lib/edge-only.mjs): its queues only ack, as the no-op's
// do. The whole pipeline (lake writer, forwarder, committer on the same two cores) is measured
// after those rounds against the same no-op, as a second figure.
//
// Ours runs two Workers in its wrangler dev (the edge and the ack-only consumer), the plain no-op
// one, and the dev session itself costs per Worker (a file watcher each, the proxy and wrangler's
// loopback: 0.914 of the plain no-op's rate at 12:48 UTC on 2026-12-03). So the no-op also runs
// beside that same ack-only Worker ("shaped" like ours), and both ratios are reported.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { startWranglerDev } from "../../scripts/lib/local-pipeline.mjs";
import { groupCpuMs, workersWorkerdCpuMs } from "./proc-cpu.mjs";
import { runWrk } from "./wrk.mjs";

let wrkRuns = 0;

/** One closed-loop wrk run; `pgid` is the serving wrangler dev's process group, for CPU per request. */
async function load(url, path, token, seconds, connections, pgid) {
  const cpuBefore = pgid ? groupCpuMs(pgid) : null;
  const workersBefore = pgid ? workersWorkerdCpuMs(pgid) : null;
  const result = await runWrk({ url, path, token, seconds, connections, tag: `r${++wrkRuns}` });
  const cpuAfter = pgid ? groupCpuMs(pgid) : null;
  const workersAfter = pgid ? workersWorkerdCpuMs(pgid) : null;
  const total = Math.max(1, result.rps * seconds);
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / total;
  // The Workers' own workerd alone: the proxy and wrangler's Node in front of it serve ours and the no-op alike.
  const workerCpuMs = workersBefore === null || workersAfter === null ? null : (workersAfter - workersBefore) / total;
  return { rps: result.rps, p50: result.p50_ms, p99: result.p99_ms, non2xx: result.non2xx, errors: result.errors, cpuMs, workerCpuMs };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (x) => +x.toFixed(3);

/**
 * Steps of the no-op's ?burn=N (pure arithmetic) for the CPU budget references. On this machine
 * (2026-12-04 04:14 UTC) they added 0.25 and 0.59 ms of the Workers' workerd CPU per request, about
 * what the packing floor and ours add; the bench reports what they cost each run, not these figures.
 */
export const BURN_STEPS = [200_000, 400_000];
const burnName = (steps) => `burn${steps}`;

/**
 * Rounds alternate which of ours and the no-op goes first (ABAB / BABA), the references following
 * in alternating order too. The edge's queues only ack, so no backlog drains into the next round.
 */
async function runRounds({ ours, noop, shaped, rounds }) {
  const runs = { ours: [], reference: [], shaped: [], logging: [], sending: [], object: [], object_sending: [], packing: [], ...Object.fromEntries(BURN_STEPS.map((n) => [burnName(n), []])) };
  const loads = {
    ours: () => ours("/webhooks/radar"),
    reference: () => noop("/webhooks/radar"),
    shaped: () => shaped("/webhooks/radar"),
    logging: () => noop("/webhooks/radar?log=1"),
    sending: () => noop("/webhooks/radar?send=1"),
    object: () => noop("/webhooks/radar?do=1"),
    object_sending: () => noop("/webhooks/radar?do=1&send=1"),
    packing: () => noop("/webhooks/radar?pack=1"),
    ...Object.fromEntries(BURN_STEPS.map((n) => [burnName(n), () => noop(`/webhooks/radar?burn=${n}`)])),
  };
  const burns = BURN_STEPS.map(burnName);
  await ours("/webhooks/radar", 1); // warm-up
  await noop("/webhooks/radar", 1);
  await shaped("/webhooks/radar", 1);
  // The loop runs interpreted until V8 optimizes it: a cold first round would count that, not the budget.
  for (const n of BURN_STEPS) await noop(`/webhooks/radar?burn=${n}`, 1);
  for (let i = 0; i < rounds; i++) {
    const order =
      i % 2 === 0
        ? ["ours", "reference", "shaped", "packing", "logging", "sending", "object", "object_sending", ...burns]
        : [...burns.toReversed(), "packing", "shaped", "reference", "ours", "object_sending", "object", "sending", "logging"];
    for (const name of order) runs[name].push(await loads[name]());
  }
  return runs;
}

/**
 * The whole pipeline against the no-op, after the edge's rounds: the lake writer drains the
 * pipeline's backlog for up to its batch timeout after each of its runs, so its rounds alternate
 * which goes first and no edge round runs beside that tail.
 */
async function runPipelineRounds({ pipeline, noop, rounds }) {
  const runs = { pipeline: [], reference: [] };
  await pipeline("/webhooks/radar", 1); // warm-up
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ["pipeline", "reference"] : ["reference", "pipeline"];
    for (const name of order) runs[name].push(await (name === "pipeline" ? pipeline : noop)("/webhooks/radar"));
  }
  return runs;
}

/**
 * @param {{ edge: { url: string, pid?: number }, pipeline: { url: string, pid?: number }, token: string, port: number,
 *   rounds: number, seconds: number, connections?: number }} o `edge`: bench/lib/edge-only.mjs; `pipeline`: the whole local pipeline
 */
export async function measureWebhook({ edge, pipeline, token, port, rounds, seconds, connections = 16 }) {
  const noopConfig = join(ROOT, "bench", "noop-wrangler.toml");
  const noop = await startWranglerDev({ args: ["-c", noopConfig], port, readyPath: "/" });
  const shapedState = mkdtempSync(join(tmpdir(), "milk-bench-shaped-"));
  const shapedArgs = ["-c", noopConfig, "-c", join(ROOT, "bench", "edge-ack-wrangler.toml"), "--persist-to", shapedState];
  // Started twice at most: in one CI run (2026-12-03 14:04) its wrangler exited 1 at start-up with
  // 'Socket "direct:1:default": bind(): Address already in use' (wrangler's own log), a port race
  // beside the other sessions; startWranglerDev now puts such output in its error.
  const startShaped = async () => startWranglerDev({ args: shapedArgs, port: await freePort(), readyPath: "/" });
  const shaped = await startShaped()
    .catch((err) => (console.error(`shaped no-op: ${err.message}; starting it once more`), startShaped()))
    .catch(async (err) => {
      await noop.stop();
      throw err;
    });
  const noopLoad = (path, s = seconds) => load(noop.url, path, token, s, connections, noop.pid);
  const shapedLoad = (path, s = seconds) => load(shaped.url, path, token, s, connections, shaped.pid);
  let runs;
  try {
    runs = await runRounds({ ours: (path, s = seconds) => load(edge.url, path, token, s, connections, edge.pid), noop: noopLoad, shaped: shapedLoad, rounds });
    const whole = await runPipelineRounds({ pipeline: (path, s = seconds) => load(pipeline.url, path, token, s, connections, pipeline.pid), noop: noopLoad, rounds });
    runs = { ...runs, pipeline: whole.pipeline, pipelineReference: whole.reference };
  } finally {
    await Promise.all([noop.stop(), shaped.stop()]);
    rmSync(shapedState, { recursive: true, force: true });
  }
  return summarize(runs, { rounds, seconds, connections });
}

/**
 * Where a Worker that only burns CPU stands: each reference's ratio to the no-op and the Workers'
 * workerd CPU it added, and the added CPU at which the line through (0, 1) and the references
 * crosses 0.8 (a linear interpolation from this run; null when no reference fell that far).
 */
function cpuBudget(runs, noopRps, workerCpu) {
  const noopCpu = workerCpu(runs.reference);
  const added = (cpu) => (cpu === null || noopCpu === null ? null : r3(cpu - noopCpu));
  const references = BURN_STEPS.map((steps) => {
    const r = runs[burnName(steps)];
    const rps = mean(r.map((x) => x.rps));
    return { steps, rps: Math.round(rps), ratio_vs_noop: r3(rps / noopRps), worker_cpu_ms_per_request: workerCpu(r), added_worker_cpu_ms: added(workerCpu(r)) };
  });
  const ours = added(workerCpu(runs.ours));
  if (references.some((p) => p.added_worker_cpu_ms === null)) return { references, ours_added_worker_cpu_ms: ours, added_worker_cpu_at_0_8_ms: null };
  let crossing = null;
  let prev = { added_worker_cpu_ms: 0, ratio_vs_noop: 1 };
  for (const point of [...references].sort((a, b) => a.added_worker_cpu_ms - b.added_worker_cpu_ms)) {
    if (point.ratio_vs_noop <= 0.8 && prev.ratio_vs_noop > 0.8) {
      const t = (prev.ratio_vs_noop - 0.8) / (prev.ratio_vs_noop - point.ratio_vs_noop);
      crossing = r3(prev.added_worker_cpu_ms + t * (point.added_worker_cpu_ms - prev.added_worker_cpu_ms));
      break;
    }
    prev = point;
  }
  return { references, ours_added_worker_cpu_ms: ours, added_worker_cpu_at_0_8_ms: crossing };
}

function summarize(runs, { rounds, seconds, connections }) {
  const { ours, pipeline, pipelineReference, reference, shaped, logging, sending, object, object_sending, packing } = runs;
  const rps = mean(ours.map((r) => r.rps));
  const noopRps = mean(reference.map((r) => r.rps));
  const shapedRps = mean(shaped.map((r) => r.rps));
  const loggingRps = mean(logging.map((r) => r.rps));
  const sendingRps = mean(sending.map((r) => r.rps));
  // Ratio within each round (ours and the no-op ran back to back): the spread across rounds.
  const roundRatios = ours.map((r, i) => r.rps / reference[i].rps);
  const cpu = (runs) => (runs.every((r) => r.cpuMs !== null) ? r3(median(runs.map((r) => r.cpuMs))) : null);
  const workerCpu = (runs) => (runs.every((r) => r.workerCpuMs !== null) ? r3(median(runs.map((r) => r.workerCpuMs))) : null);
  const packingRps = mean(packing.map((r) => r.rps));
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
    // The no-op in a dev session shaped like ours (beside the same ack-only Worker): like for like.
    noop_shaped_rps: Math.round(shapedRps),
    ratio_vs_noop_shaped: r3(rps / shapedRps),
    ratio_vs_noop_shaped_per_round: ours.map((r, i) => r3(r.rps / shaped[i].rps)),
    noop_shaped_vs_noop: r3(shapedRps / noopRps),
    // CPU of each wrangler dev (wrangler, its proxy workerd, the Worker's workerd) per request,
    // median over rounds; the edge's queues only ack, as the no-op's.
    cpu_ms_per_request: cpu(ours),
    noop_cpu_ms_per_request: cpu(reference),
    // The same no-op plus one console.log per request, as ours logs: isolates the log transport cost.
    noop_with_log_rps: Math.round(loggingRps),
    ratio_vs_noop_with_log: r3(rps / loggingRps),
    // The same no-op plus one awaited queue send: the floor for any Worker that must enqueue before 202.
    noop_with_send_rps: Math.round(sendingRps),
    ratio_vs_noop_with_send: r3(rps / sendingRps),
    // Floor variants: one Durable Object call, and one call plus one send, as ours must do at least.
    noop_with_object_rps: Math.round(mean(object.map((r) => r.rps))),
    noop_with_object_and_send_rps: Math.round(mean(object_sending.map((r) => r.rps))),
    ratio_vs_noop_with_object_and_send: r3(rps / mean(object_sending.map((r) => r.rps))),
    // This design's floor: the body carried by one call to an object that sends the bodies gathered
    // while its last send was in flight as one message, answering once it is on the queue. No
    // signature, validation, binding or window: what packing through a guard costs before our checks.
    noop_with_packing_rps: Math.round(packingRps),
    packing_floor_vs_noop: r3(packingRps / noopRps),
    ratio_vs_packing_floor: r3(rps / packingRps),
    ratio_vs_packing_floor_per_round: ours.map((r, i) => r3(r.rps / packing[i].rps)),
    // CPU per request of the Workers' own workerd (median over rounds), without wrangler's proxy and Node.
    worker_cpu_ms_per_request: { ours: workerCpu(ours), noop: workerCpu(reference), noop_shaped: workerCpu(shaped), packing_floor: workerCpu(packing) },
    // The no-op plus pure arithmetic (?burn=N): what throughput each added ms of the Worker's CPU
    // leaves here, so the ratio goal reads as a CPU budget, and ours' added CPU beside it.
    cpu_budget: cpuBudget(runs, noopRps, workerCpu),
    // The whole pipeline in one wrangler dev: the lake writer, forwarder (to kinesalite) and
    // committer drain the queues on the same two cores as the edge.
    pipeline_rps: Math.round(mean(pipeline.map((r) => r.rps))),
    pipeline_noop_rps: Math.round(mean(pipelineReference.map((r) => r.rps))),
    pipeline_ratio: r3(mean(pipeline.map((r) => r.rps)) / mean(pipelineReference.map((r) => r.rps))),
    pipeline_ratio_per_round: pipeline.map((r, i) => r3(r.rps / pipelineReference[i].rps)),
    pipeline_cpu_ms_per_request: cpu(pipeline),
    load_generator: "wrk -t2",
    non2xx: [...ours, ...pipeline].reduce((n, r) => n + r.non2xx + r.errors, 0),
    rounds,
    seconds_per_round: seconds,
    connections,
  };
}
