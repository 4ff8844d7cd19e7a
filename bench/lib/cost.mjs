// Cost per million events at a given rate, every line: US list prices (docs/performance.md for
// sources) applied to measured figures (pack sizes under wrangler dev, bytes per row, CPU) and to
// what the code does per request, per packed send, per consumer batch and per compacted hour.
export const PRICES = {
  workers_per_million_requests: 0.3,
  workers_per_million_cpu_ms: 0.02,
  queues_per_million_ops: 0.4, // one op per 64 KB written, read or deleted
  queues_ops_per_message: 3,
  r2_class_a_per_million: 4.5, // put, list, multipart create/part/complete
  r2_class_b_per_million: 0.36, // get
  // Basin Catalog operations beyond 1 M a month (reference: iceberg.md, basin-catalog pricing).
  catalog_per_million_ops: 9.0,
  r2_storage_per_gb_month: 0.015,
  kinesis_per_million_put_units: 0.014, // 25 KB units; shard-hours are a fixed monthly cost
  workers_logs_per_million_lines: 0.6, // beyond 20 M lines a month
  analytics_engine_per_million_points: 0.25, // beyond 10 M points a month
  do_per_million_requests: 0.15,
  do_per_million_gb_s: 12.5, // 128 MB = 0.128 GB while active
  do_per_million_rows_written: 1.0,
  do_storage_per_gb_month: 0.2,
};
const M = 1e6;
const QUEUE_CHUNK = 64 * 1024;
/** Guard sizing (docs/security.md): shards = ⌈rate / 90⌉. */
export const guardShards = (rate) => Math.max(1, Math.ceil(rate / 90));
/** Lake writer batch: up to 100 messages or 5 s (wrangler.toml), whichever first. */
const lakeEventsPerBatch = (rate, perMessage) => Math.max(1, Math.min(100 * perMessage, rate * 5));

/**
 * Rows written per event at a 1 s coalescing window: one row per window with any binding, i.e.
 * 1 / (1 + rate per shard), which matches the guard's measured 0.153 / 0.046 / 0.010 rows at 5 / 20 /
 * 100 events/s (test/workers/guard-cost.test.ts); a part (PART_ENTRIES, src/guard/binding-rows.ts)
 * adds one row per 1,000 entries.
 */
const guardRowsPerEvent = (perShard) => 1 / (1 + perShard) + 1 / 1_000;

/** Compaction per event (src/lake/compaction/): list, sort-shard reads and writes, merge output, queue steps. */
function compactionPerEvent(rate, batchEvents) {
  const hourEvents = rate * 3600;
  const rawObjects = hourEvents / batchEvents; // one raw + one Parquet twin per batch
  const shards = Math.max(1, Math.ceil(hourEvents / 20_000));
  const classA = (2 * Math.ceil((2 * rawObjects) / 1000) + 2 * shards + 3 + 2) / hourEvents; // lists, runs + id runs, multipart output, manifest/markers
  const classB = (rawObjects + 2 * shards) / hourEvents; // sort reads raw, merge reads runs
  const messages = (2 + shards) / hourEvents; // plan, sorts, merge
  return { classA, classB, messages, invocations: messages };
}

/**
 * `forwardEventsPerMessage`: measured (bench/lib/pack-sizes.mjs); without it, eventsPerMessage × forwardShare (an estimate).
 * @param {{ rate: number, eventsPerMessage: number, forwardEventsPerMessage?: number, envelopeBytes: number, forwardShare: number,
 *   edgeCpuMs: number, consumerCpuMsPerEvent: number, parquetBytesPerEvent: number, rawBytesPerEvent: number,
 *   retentionMonths: number, successLogRate: number, tableIntervalS?: number }} m
 * tableIntervalS: the table's commit interval (15 s in staging and production), for the table's lines.
 */
export function costAtRate(m) {
  const shards = guardShards(m.rate);
  const perShard = m.rate / shards;
  const batchEvents = lakeEventsPerBatch(m.rate, m.eventsPerMessage);
  const chunks = Math.max(1, Math.ceil((m.eventsPerMessage * m.envelopeBytes) / QUEUE_CHUNK));
  const ingestOps = (PRICES.queues_ops_per_message * chunks) / m.eventsPerMessage;
  const forwardPerMessage = Math.max(1, m.forwardEventsPerMessage ?? m.eventsPerMessage * m.forwardShare);
  const compaction = compactionPerEvent(m.rate, batchEvents);
  const sendsPerEvent = 1 / m.eventsPerMessage + m.forwardShare / forwardPerMessage; // guard_send points
  const consumerBatches = 1 / batchEvents + m.forwardShare / Math.max(1, Math.min(100 * forwardPerMessage, m.rate * m.forwardShare));
  const storageGbMonths = ((m.parquetBytesPerEvent + m.rawBytesPerEvent) * M * m.retentionMonths) / 1e9;
  const lines = [
    ["Workers requests (1 webhook per event)", PRICES.workers_per_million_requests],
    [`Workers CPU, edge (${m.edgeCpuMs} ms per request)`, m.edgeCpuMs * PRICES.workers_per_million_cpu_ms],
    ["Signing guard requests (1 Durable Object request per webhook)", PRICES.do_per_million_requests],
    [`Signing guard rows written (${shards} shard(s), ${perShard.toFixed(0)}/s each, 1 s window)`, guardRowsPerEvent(perShard) * PRICES.do_per_million_rows_written],
    ["Signing guard duration (every shard always active: upper bound)", ((shards * 0.128) / m.rate) * PRICES.do_per_million_gb_s],
    ["Signing guard storage (72 B per binding, one day)", ((72 * M) / 1e9) * (PRICES.do_storage_per_gb_month / 30)],
    [`Queues, ingest (${m.eventsPerMessage} events per message, measured)`, ingestOps * PRICES.queues_per_million_ops],
    [`Queues, forward (${(m.forwardShare * 100).toFixed(1)}% geofence, ${forwardPerMessage.toFixed(1)} per message, ${m.forwardEventsPerMessage ? "measured" : "estimate"})`, ((m.forwardShare * PRICES.queues_ops_per_message) / forwardPerMessage) * PRICES.queues_per_million_ops],
    ["Queues, compaction steps", compaction.messages * PRICES.queues_ops_per_message * PRICES.queues_per_million_ops],
    [`Workers requests, consumers (${batchEvents.toFixed(0)} events per lake batch) and compaction steps`, (consumerBatches + compaction.invocations) * PRICES.workers_per_million_requests],
    [`Workers CPU, lake writer (${m.consumerCpuMsPerEvent.toFixed(3)} ms per event)`, m.consumerCpuMsPerEvent * PRICES.workers_per_million_cpu_ms],
    ["R2 Class A, lake writer (Parquet + raw per batch)", (2 / batchEvents) * PRICES.r2_class_a_per_million],
    ["R2 Class A, compaction (lists, runs, multipart output)", compaction.classA * PRICES.r2_class_a_per_million],
    ["R2 Class B, compaction (raw and run reads)", compaction.classB * PRICES.r2_class_b_per_million],
    [`R2 storage over ${m.retentionMonths} months (compacted Parquet + raw gzip)`, storageGbMonths * PRICES.r2_storage_per_gb_month],
    ["Kinesis PUT payload units (shard-hours excluded)", m.forwardShare * PRICES.kinesis_per_million_put_units],
    ["Workers Logs (sampled successes, one line per consumer batch)", (m.successLogRate + consumerBatches) * PRICES.workers_logs_per_million_lines],
    ["Analytics Engine (one point per packed send and per consumer batch)", (sendsPerEvent + consumerBatches) * PRICES.analytics_engine_per_million_points],
    ...tableLines(m.rate, batchEvents, m.tableIntervalS ?? 15),
  ].map(([item, usd]) => ({ item, usd: +usd.toFixed(4) }));
  return { rate_per_s: m.rate, shards, events_per_message: m.eventsPerMessage, usd_per_million_events: +lines.reduce((n, l) => n + l.usd, 0).toFixed(3), lines };
}

/**
 * R2 reads per commit, from the bench's `table` section (results.json, 2026-12-03): the manifest
 * list plus the manifests of the hours a commit touches, 1 for an append and 16 for the one commit
 * in 16 that merges the newest month: 1 + (15 × 1 + 16) / 16 ≈ 3 (2.94), at 1,000 to 65,000 live
 * files alike. Overwrites (one per compacted hour) read 1 more; left out.
 */
const TABLE_READS_PER_COMMIT = 3;

/**
 * The Iceberg table's lines, an estimate from the design (not measured): one registration message
 * per Parquet object (about one per lake batch), one commit per interval while events arrive at
 * `rate` (2 catalog operations: load and updateTable), a manifest and a manifest list written per
 * commit, the parent's manifests read back. Compaction's overwrites (one per hour) are left out.
 */
function tableLines(rate, batchEvents, interval) {
  const commits = 1e6 / rate / interval;
  return [
    ["Queues, table (1 registration per Parquet object)", (1 / batchEvents) * PRICES.queues_ops_per_message * PRICES.queues_per_million_ops],
    [`Workers requests, table committer (${Math.round(commits)} commits)`, (commits / 1e6) * PRICES.workers_per_million_requests],
    [`Catalog operations (load + commit every ${interval} s, est.)`, ((2 * commits) / 1e6) * PRICES.catalog_per_million_ops],
    ["R2 Class A, table metadata (2 objects per commit, est.)", ((2 * commits) / 1e6) * PRICES.r2_class_a_per_million],
    [`R2 Class B, table metadata (${TABLE_READS_PER_COMMIT} reads per commit, measured)`, ((TABLE_READS_PER_COMMIT * commits) / 1e6) * PRICES.r2_class_b_per_million],
  ];
}
