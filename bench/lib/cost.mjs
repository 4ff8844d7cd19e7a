// US list prices (see docs/performance.md for sources) applied to measured per-event figures.
export const PRICES = {
  workers_per_million_requests: 0.3,
  workers_per_million_cpu_ms: 0.02,
  queues_per_million_ops: 0.4,
  queues_ops_per_message: 3, // write, read, delete (ack)
  r2_class_a_per_million: 4.5,
  r2_class_b_per_million: 0.36,
  // Basin Catalog operations beyond 1 M a month (reference: iceberg.md, basin-catalog pricing).
  catalog_per_million_ops: 9.0,
  r2_storage_per_gb_month: 0.015,
  kinesis_per_million_put_units: 0.014, // provisioned PUT payload unit (25 KB); shard-hours are a fixed monthly cost
  workers_logs_per_million_lines: 0.6, // beyond 20 M lines a month (Workers Paid)
  analytics_engine_per_million_points: 0.25, // beyond 10 M data points a month
  // Durable Objects (developers.cloudflare.com/durable-objects/platform/pricing; not in anchors.md).
  do_per_million_requests: 0.15, // one RPC per webhook
  do_per_million_gb_s: 12.5, // 128 MB = 0.128 GB while the object is active
  do_per_million_rows_written: 1.0,
  do_storage_per_gb_month: 0.2,
};

/**
 * The signing guard, measured on the real Durable Object at the default 1 s window with Poisson
 * arrivals, 60 s per rate (GUARD_COST_SECONDS=60 npx vitest run test/workers/guard-cost.test.ts
 * --silent=false): rows written per event, and wall time the object was active per event (checks
 * in flight or a write pending; the whole run, so an upper bound of billed duration). Checks are
 * answered at once (in flight about 0.1 ms each). 63.9 B stored per entry, kept 24 h.
 */
export const SIGNING_GUARD_MEASURED = [
  { rate_per_s: 5, rows_written_per_event: 0.1533, active_s_per_event: 0.18957 },
  { rate_per_s: 20, rows_written_per_event: 0.0458, active_s_per_event: 0.04824 },
  { rate_per_s: 100, rows_written_per_event: 0.01, active_s_per_event: 0.01011 },
];
const GUARD_BYTES_PER_EVENT = 63.9;
/** 20 events/s: about the most one shard holds for the full 24 h window (2 M keys). */
const GUARD_LINE_RATE = 20;

export function signingGuardPerMillion(m) {
  const usd =
    PRICES.do_per_million_requests +
    m.rows_written_per_event * PRICES.do_per_million_rows_written +
    m.active_s_per_event * 0.128 * PRICES.do_per_million_gb_s +
    ((GUARD_BYTES_PER_EVENT * 1e6) / 1e9) * PRICES.do_storage_per_gb_month / 30; // held one day
  return { ...m, usd: +usd.toFixed(4) };
}

/**
 * @param {{ edgeCpuMs: number, consumerCpuMsPerEvent: number, forwardShare: number,
 *   eventsPerBatch: number, lakeBytesPerEvent: number, logLinesPerEvent?: number, metricPointsPerEvent?: number }} m
 * logLinesPerEvent / metricPointsPerEvent: marginal, i.e. past the monthly included volume.
 * rate (events/s) and tableIntervalS: the table's commits per million events (tableLines).
 */
export function costPerMillion(m) {
  const M = 1e6;
  const batches = M / m.eventsPerBatch;
  const lines = [
    { item: "Workers requests (1 webhook per event)", usd: PRICES.workers_per_million_requests },
    { item: `Workers CPU, edge (${m.edgeCpuMs} ms per request)`, usd: (m.edgeCpuMs * M / 1e6) * PRICES.workers_per_million_cpu_ms },
    { item: `Workers requests, consumer invocations (${m.eventsPerBatch} events per batch)`, usd: (batches / 1e6) * PRICES.workers_per_million_requests },
    { item: `Workers CPU, lake writer (${m.consumerCpuMsPerEvent.toFixed(3)} ms per event)`, usd: (m.consumerCpuMsPerEvent * M / 1e6) * PRICES.workers_per_million_cpu_ms },
    { item: "Queues, ingest (3 ops per message, 1 message per event)", usd: PRICES.queues_ops_per_message * PRICES.queues_per_million_ops },
    { item: `Queues, forward (${(m.forwardShare * 100).toFixed(1)}% of events are geofence)`, usd: m.forwardShare * PRICES.queues_ops_per_message * PRICES.queues_per_million_ops },
    { item: "R2 Class A writes (Parquet + raw per batch and hour)", usd: ((2 * batches) / 1e6) * PRICES.r2_class_a_per_million },
    { item: `R2 storage, first month (${m.lakeBytesPerEvent.toFixed(0)} B per event)`, usd: ((m.lakeBytesPerEvent * M) / 1e9) * PRICES.r2_storage_per_gb_month },
    { item: "Kinesis PUT payload units (provisioned; shard-hours excluded)", usd: m.forwardShare * PRICES.kinesis_per_million_put_units },
    { item: `Workers Logs (${fmt(m.logLinesPerEvent ?? 0)} lines per event, past 20 M/month)`, usd: (m.logLinesPerEvent ?? 0) * PRICES.workers_logs_per_million_lines },
    { item: `Analytics Engine (${fmt(m.metricPointsPerEvent ?? 0)} points per event, past 10 M/month)`, usd: (m.metricPointsPerEvent ?? 0) * PRICES.analytics_engine_per_million_points },
    { item: `Signing guard (Durable Object, measured at ${GUARD_LINE_RATE} events/s per shard)`, usd: signingGuardPerMillion(SIGNING_GUARD_MEASURED.find((g) => g.rate_per_s === GUARD_LINE_RATE)).usd },
    ...tableLines(m, batches),
  ].map((l) => ({ ...l, usd: +l.usd.toFixed(4) }));
  const signing_guard_by_rate = SIGNING_GUARD_MEASURED.map(signingGuardPerMillion);
  return { usd_per_million_events: +lines.reduce((n, l) => n + l.usd, 0).toFixed(3), lines, signing_guard_by_rate };
}

const fmt = (n) => String(+n.toFixed(4));

/** Manifests the committer reads per commit: the parent's manifest list and at most 32 manifests (table-format.md). */
const TABLE_READS_PER_COMMIT = 33;

/**
 * The Iceberg table's lines, an estimate from the design (not measured): one registration message
 * per Parquet object (about one per lake batch), one commit per interval while events arrive at
 * `rate` (2 catalog operations: load and updateTable), a manifest and a manifest list written per
 * commit, the parent's manifests read back. Compaction's overwrites (one per hour) are left out.
 */
function tableLines(m, batches) {
  const interval = m.tableIntervalS ?? 15;
  const commits = 1e6 / (m.rate ?? 200) / interval;
  return [
    { item: "Queues, table (1 registration per Parquet object)", usd: (batches / 1e6) * PRICES.queues_ops_per_message * PRICES.queues_per_million_ops },
    { item: `Workers requests, table committer (${Math.round(commits)} commits)`, usd: (commits / 1e6) * PRICES.workers_per_million_requests },
    { item: `Catalog operations (load + commit every ${interval} s, est.)`, usd: ((2 * commits) / 1e6) * PRICES.catalog_per_million_ops },
    { item: "R2 Class A, table metadata (2 objects per commit, est.)", usd: ((2 * commits) / 1e6) * PRICES.r2_class_a_per_million },
    { item: `R2 Class B, table metadata (≤ ${TABLE_READS_PER_COMMIT} reads per commit, est.)`, usd: ((TABLE_READS_PER_COMMIT * commits) / 1e6) * PRICES.r2_class_b_per_million },
  ];
}

/**
 * Log lines and metric points per event, from the code's behaviour: the edge logs a success with
 * probability successLogRate and every refusal; each webhook request writes one point; each
 * consumer batch writes one point and at least one log line (lake writer: "lake objects written").
 */
export function observabilityPerEvent({ successLogRate, refusalShare = 0, eventsPerRequest = 1, eventsPerBatch, forwardShare }) {
  const requests = 1 / eventsPerRequest;
  const batches = (1 + forwardShare) / eventsPerBatch;
  return {
    logLinesPerEvent: requests * ((1 - refusalShare) * successLogRate + refusalShare) + 1 / eventsPerBatch,
    metricPointsPerEvent: requests + batches,
  };
}
