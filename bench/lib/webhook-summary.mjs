// The webhook bench's figures from its rounds (bench/lib/webhook.mjs): ratios against each reference
// of the same run, CPU per request, and the CPU budget the arithmetic references draw.
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
export const burnName = (steps) => `burn${steps}`;

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

/**
 * A 95 % interval of the ratio of mean rates over back-to-back pairs: a bootstrap over the pairs
 * (2,000 resamples, a fixed seed, so a rerun of the same figures gives the same interval).
 * @param {number[]} ours @param {number[]} reference rates of the same pairs, in order
 * @returns {[number, number]}
 */
export function pairRatioInterval(ours, reference, resamples = 2_000) {
  let seed = 0x2545f491;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const ratios = [];
  for (let b = 0; b < resamples; b++) {
    let a = 0;
    let n = 0;
    for (let i = 0; i < ours.length; i++) {
      const k = Math.floor(random() * ours.length);
      a += ours[k];
      n += reference[k];
    }
    ratios.push(a / n);
  }
  ratios.sort((x, y) => x - y);
  return [r3(ratios[Math.floor(0.025 * resamples)]), r3(ratios[Math.ceil(0.975 * resamples) - 1])];
}

/** The ratio of mean rates over back-to-back pairs, with its interval. */
const pairRatio = (ours, reference) => ({ ratio: r3(mean(ours) / mean(reference)), ratio_ci95: pairRatioInterval(ours, reference) });

/**
 * The headline ratio over the pairs of several runs' results (`pair_rates` of each), with the
 * pairs' bootstrap interval: runs of the same code pooled.
 * @param {Array<{ pair_rates: Array<[number, number]> }>} runs
 */
export function poolPairs(runs) {
  // Only runs of one protocol pool: a lead-in, a load's length or its connections move the ratio.
  const protocol = (run) => JSON.stringify([run.lead_in_seconds, run.seconds_per_round, run.connections]);
  const rates = runs.flatMap((run) => {
    if (!Array.isArray(run?.pair_rates) || run.pair_rates.length === 0) throw new Error("a result without pair_rates (empty, or written before the pairs were stored)");
    if (protocol(run) !== protocol(runs[0])) throw new Error(`runs of different protocols (lead-in, seconds, connections): ${protocol(run)} against ${protocol(runs[0])}`);
    return run.pair_rates;
  });
  const ours = rates.map(([o]) => o);
  const reference = rates.map(([, r]) => r);
  return { runs: runs.length, pairs: rates.length, ...pairRatio(ours, reference) };
}

/** The headline figures: ours against the plain no-op over every back-to-back pair (the full rounds' and the pair rounds'). */
function headline(pairs) {
  const ours = pairs.ours.map((r) => r.rps);
  const reference = pairs.reference.map((r) => r.rps);
  const ratios = ours.map((r, i) => r / reference[i]);
  return {
    rps: Math.round(mean(ours)),
    noop_rps: Math.round(mean(reference)),
    ...pairRatio(ours, reference),
    ratio_median: r3(median(ratios)),
    ratio_min: r3(Math.min(...ratios)),
    ratio_max: r3(Math.max(...ratios)),
    pairs: ours.length,
    // Each pair's rates (ours, the no-op), so runs of the same code can be pooled (bench/pool-pairs.mjs).
    pair_rates: ours.map((r, i) => [Math.round(r), Math.round(reference[i])]),
  };
}

export function summarize(runs, { rounds, pairs = 0, seconds, warmUpSeconds, leadInSeconds = 0, connections }) {
  const { ours, pipeline, pipelineReference, reference, shaped, checked, logging, sending, object, object_sending, packing } = runs;
  // The references below ran only in the full rounds: ours' rate there is their like for like.
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
  const checkedRps = mean(checked.map((r) => r.rps));
  return {
    ...headline(runs.pairs),
    // The full rounds alone (the headline before 06fde4e): 4 or 16 other loads run between two of ours.
    full_rounds: { rps: Math.round(rps), noop_rps: Math.round(noopRps), ratio: r3(rps / noopRps), ratio_median: r3(median(roundRatios)) },
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
    // The spec's mandatory work with the fewest steps (bench/checked-floor-worker.ts: signature, body,
    // JSON, schema, ids, hashes, one binding, packed send), in a session of ours' shape: what any
    // implementation pays here before its own engineering. Its non-2xx must be 0, or it skipped work.
    checked_floor_rps: Math.round(checkedRps),
    checked_floor_vs_noop: r3(checkedRps / noopRps),
    ratio_vs_checked_floor: r3(rps / checkedRps),
    ratio_vs_checked_floor_per_round: ours.map((r, i) => r3(r.rps / checked[i].rps)),
    checked_floor_non2xx: checked.reduce((n, r) => n + r.non2xx + r.errors, 0),
    // CPU per request of the Workers' own workerd (median over rounds), without wrangler's proxy and Node.
    worker_cpu_ms_per_request: { ours: workerCpu(ours), noop: workerCpu(reference), noop_shaped: workerCpu(shaped), checked_floor: workerCpu(checked), packing_floor: workerCpu(packing) },
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
    non2xx: [...runs.pairs.ours, ...pipeline].reduce((n, r) => n + r.non2xx + r.errors, 0),
    rounds,
    pair_rounds: pairs,
    seconds_per_round: seconds,
    warm_up_seconds: warmUpSeconds,
    lead_in_seconds: leadInSeconds,
    connections,
  };
}
