// Child of the compaction benchmark, run as `node --max-old-space-size=128 --expose-gc`: runs
// one hour's compaction job (plan, every sort shard, merge) with the Worker's real code against
// a disk-backed bucket, one step at a time, and prints one JSON line of per-step figures.
// Exceeding the 128 MB heap kills this process, which fails the run.
import { diskBucket } from "./disk-bucket.mjs";

const [bundle, dir, partition] = process.argv.slice(2);
const { runCompactionStep, compactionConfig, enqueueCompactions } = await import(bundle);

/** The compaction queue: holds messages for the loop below, with the platform's batch limits. */
const pending = [];
const queue = {
  async send(body) {
    pending.push(JSON.parse(JSON.stringify(body)));
  },
  async sendBatch(batch) {
    const messages = [...batch];
    if (messages.length > 100 || JSON.stringify(messages).length > 256_000) throw new Error("sendBatch over the platform limit");
    for (const m of messages) pending.push(JSON.parse(JSON.stringify(m.body)));
  },
};

/** heapUsed + external (external includes ArrayBuffers: streams, gzip and Parquet buffers), MB. */
const used = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 1048576;
};

// COMPACTION_* environment variables override the defaults (for exploring the tuning).
// The table queue is not measured here: the overwrite message is one small send.
const deps = { bucket: diskBucket(dir), queue, table: { async send() {} }, config: compactionConfig(process.env) };
await enqueueCompactions(queue, deps.bucket, [partition], Date.now());
const steps = [];
while (pending.length) {
  const message = pending.shift();
  globalThis.gc?.(); // each step starts from a clean heap, as a fresh Worker invocation would
  const baseline = used();
  let peak = baseline;
  let live = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
  // heapUsed counts garbage not yet collected; a full GC every 250 ms shows what the step really holds.
  const liveSampler = setInterval(() => (globalThis.gc?.(), (live = Math.max(live, used()))), 250);
  const started = performance.now();
  const result = await runCompactionStep(deps, message, Date.now());
  clearInterval(sampler);
  clearInterval(liveSampler);
  peak = Math.max(peak, used());
  steps.push({ step: message.step, ms: Math.round(performance.now() - started), peak_mb: Number(peak.toFixed(1)), live_peak_mb: Number(live.toFixed(1)), baseline_mb: Number(baseline.toFixed(1)), ...(message.step === "merge" && { result }) });
}
console.log(JSON.stringify({ steps, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
