// Webhook cost: our signed POST /webhooks/radar against a no-op Worker in the same runtime
// (wrangler dev / workerd), same C load generator (wrk, bench/lib/wrk.mjs), alternating A/B rounds.
// "Ours" is the edge Worker alone (bench/lib/edge-only.mjs): its queues only ack, as the no-op's
// do. The whole pipeline (lake writer, forwarder, committer on the same two cores) is measured
// after those rounds against the same no-op, as a second figure.
//
// Ours runs two Workers in its wrangler dev (the edge and the ack-only consumer), the plain no-op
// one, and the dev session itself costs per Worker (a file watcher each, the proxy and wrangler's
// loopback: 0.914 of the plain no-op's rate at 12:48 UTC on 2026-12-03). So the no-op also runs
// beside that same ack-only Worker ("shaped" like ours), and both ratios are reported. That shaped
// session also serves the mandatory-work floor (?checked=1, bench/checked-floor-worker.ts): the
// spec's per-request work with the fewest steps, so a run shows how much of ours' gap to the no-op
// any implementation pays here and how much is ours' own engineering.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { startWranglerDev } from "../../scripts/lib/local-pipeline.mjs";
import { probeCheckedFloor } from "./checked-floor-probe.mjs";
import { groupCpuMs, workersWorkerdCpuMs } from "./proc-cpu.mjs";
import { BURN_STEPS, burnName, summarize } from "./webhook-summary.mjs";
import { runWrk } from "./wrk.mjs";

let wrkRuns = 0;

/**
 * One closed-loop wrk run; `pgid` is the serving wrangler dev's process group, for CPU per request.
 * `leadIn` seconds of the same load run first, unmeasured: local workerd evicts an object idle for
 * 8–12 s (ours' guard shard, the floors' objects), and a woken one runs its first second at 0.70 of
 * its later ones for ours, 0.80 for the floor and 0.90 for the no-op (docs/performance.md,
 * 2026-12-05 07:36). A shard at a fleet's rate does not idle that long: each load measures the sustained rate.
 */
async function load(url, path, token, seconds, connections, pgid, leadIn = 0) {
  // Its refusals and errors count with the load's: every request sent must be answered 2xx.
  const lead = leadIn > 0 ? await runWrk({ url, path, token, seconds: leadIn, connections, tag: `r${++wrkRuns}` }) : { non2xx: 0, errors: 0 };
  const cpuBefore = pgid ? groupCpuMs(pgid) : null;
  const workersBefore = pgid ? workersWorkerdCpuMs(pgid) : null;
  const result = await runWrk({ url, path, token, seconds, connections, tag: `r${++wrkRuns}` });
  const cpuAfter = pgid ? groupCpuMs(pgid) : null;
  const workersAfter = pgid ? workersWorkerdCpuMs(pgid) : null;
  const total = Math.max(1, result.rps * seconds);
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / total;
  // The Workers' own workerd alone: the proxy and wrangler's Node in front of it serve ours and the no-op alike.
  const workerCpuMs = workersBefore === null || workersAfter === null ? null : (workersAfter - workersBefore) / total;
  return { rps: result.rps, p50: result.p50_ms, p99: result.p99_ms, non2xx: result.non2xx + lead.non2xx, errors: result.errors + lead.errors, cpuMs, workerCpuMs };
}

/**
 * Rounds alternate which of ours and the no-op goes first (ABAB / BABA), the references following
 * in alternating order too. The edge's queues only ack, so no backlog drains into the next round.
 */
async function runRounds({ ours, noop, shaped, rounds, warmUp }) {
  const runs = { ours: [], reference: [], shaped: [], checked: [], logging: [], sending: [], object: [], object_sending: [], packing: [], ...Object.fromEntries(BURN_STEPS.map((n) => [burnName(n), []])) };
  const loads = {
    ours: () => ours("/webhooks/radar"),
    reference: () => noop("/webhooks/radar"),
    shaped: () => shaped("/webhooks/radar"),
    checked: () => shaped("/webhooks/radar?checked=1"),
    logging: () => noop("/webhooks/radar?log=1"),
    sending: () => noop("/webhooks/radar?send=1"),
    object: () => noop("/webhooks/radar?do=1"),
    object_sending: () => noop("/webhooks/radar?do=1&send=1"),
    packing: () => noop("/webhooks/radar?pack=1"),
    ...Object.fromEntries(BURN_STEPS.map((n) => [burnName(n), () => noop(`/webhooks/radar?burn=${n}`)])),
  };
  const burns = BURN_STEPS.map(burnName);
  // Warm-up, the same for each: a fresh guard shard learns a closed loop over its first seconds
  // (probes that hold every client, 1.4-3.2 s after the start in docs/performance.md, 2026-12-04
  // 23:10), as V8 does its code; the rounds measure the steady state.
  await ours("/webhooks/radar", warmUp);
  await noop("/webhooks/radar", warmUp);
  await shaped("/webhooks/radar", warmUp);
  await shaped("/webhooks/radar?checked=1", warmUp);
  // The loop runs interpreted until V8 optimizes it: a cold first round would count that, not the budget.
  for (const n of BURN_STEPS) await noop(`/webhooks/radar?burn=${n}`, 1);
  for (let i = 0; i < rounds; i++) {
    const order =
      i % 2 === 0
        ? ["ours", "reference", "shaped", "checked", "packing", "logging", "sending", "object", "object_sending", ...burns]
        : [...burns.toReversed(), "packing", "checked", "shaped", "reference", "ours", "object_sending", "object", "sending", "logging"];
    for (const name of order) runs[name].push(await loads[name]());
  }
  return runs;
}

/**
 * The headline pair alone, after the full rounds: ours and the no-op back to back, alternating
 * which goes first (ABBA). This machine's speed drifts between loads (a no-op against a second
 * no-op, 1 s apart: 0.80–1.23 per pair, 2026-12-05 07:27), so the ratio needs many pairs run close
 * together; the full rounds put 4 or 16 other loads between two of ours.
 */
async function runPairRounds({ ours, noop, pairs }) {
  const runs = { ours: [], reference: [] };
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? ["reference", "ours"] : ["ours", "reference"];
    for (const name of order) runs[name].push(await (name === "ours" ? ours : noop)("/webhooks/radar"));
  }
  return runs;
}

/**
 * The whole pipeline against the no-op, after the edge's rounds: the lake writer drains the
 * pipeline's backlog for up to its batch timeout after each of its runs, so its rounds alternate
 * which goes first and no edge round runs beside that tail.
 */
async function runPipelineRounds({ pipeline, noop, rounds, warmUp }) {
  const runs = { pipeline: [], reference: [] };
  await pipeline("/webhooks/radar", warmUp); // warm-up, as runRounds
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ["pipeline", "reference"] : ["reference", "pipeline"];
    for (const name of order) runs[name].push(await (name === "pipeline" ? pipeline : noop)("/webhooks/radar"));
  }
  return runs;
}

/**
 * @param {{ edge: { url: string, pid?: number }, pipeline: { url: string, pid?: number }, token: string, port: number,
 *   rounds: number, pairs?: number, seconds: number, warmUpSeconds?: number, leadInSeconds?: number, connections?: number }} o `edge`: bench/lib/edge-only.mjs; `pipeline`: the whole local pipeline
 */
export async function measureWebhook({ edge, pipeline, token, port, rounds, pairs = 0, seconds, warmUpSeconds = 1, leadInSeconds = 0, connections = 16 }) {
  // The mandatory-work floor checks signatures with the webhook token: from a private file, not argv.
  if (/['\n\r]/.test(token)) throw new Error("RADAR_WEBHOOK_TOKEN must not contain a quote or a line break");
  const noopConfig = join(ROOT, "bench", "noop-wrangler.toml");
  const noop = await startWranglerDev({ args: ["-c", noopConfig], port, readyPath: "/" });
  const shapedState = mkdtempSync(join(tmpdir(), "milk-bench-shaped-"));
  const envFile = join(shapedState, "secrets.env");
  writeFileSync(envFile, `RADAR_WEBHOOK_TOKEN='${token}'\n`, { mode: 0o600 });
  const shapedConfig = join(ROOT, "bench", "checked-floor-wrangler.toml");
  const shapedArgs = ["-c", shapedConfig, "-c", join(ROOT, "bench", "edge-ack-wrangler.toml"), "--env-file", envFile, "--persist-to", shapedState];
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
  // A measured load follows its lead-in; a warm-up (an explicit `s`) runs alone.
  const loader = ({ url, pid }) => (path, s) => load(url, path, token, s ?? seconds, connections, pid, s === undefined ? leadInSeconds : 0);
  const noopLoad = loader(noop);
  const shapedLoad = loader(shaped);
  let runs;
  try {
    await probeCheckedFloor(shaped.url, token);
    const oursLoad = loader(edge);
    runs = await runRounds({ ours: oursLoad, noop: noopLoad, shaped: shapedLoad, rounds, warmUp: warmUpSeconds });
    const pairRuns = await runPairRounds({ ours: oursLoad, noop: noopLoad, pairs });
    runs = { ...runs, pairs: { ours: [...runs.ours, ...pairRuns.ours], reference: [...runs.reference, ...pairRuns.reference] } };
    const whole = await runPipelineRounds({ pipeline: loader(pipeline), noop: noopLoad, rounds, warmUp: warmUpSeconds });
    runs = { ...runs, pipeline: whole.pipeline, pipelineReference: whole.reference };
  } finally {
    await Promise.all([noop.stop(), shaped.stop()]);
    rmSync(shapedState, { recursive: true, force: true });
  }
  const summary = summarize(runs, { rounds, pairs, seconds, warmUpSeconds, leadInSeconds, connections });
  if (summary.checked_floor_non2xx > 0) throw new Error(`the mandatory-work floor answered ${summary.checked_floor_non2xx} requests with errors: its rate is not the floor's`);
  return summary;
}
