/**
 * Workers Analytics Engine data points (dataset `milk_telemetry`). Field layout, shared by
 * every writer so one SQL query shape reads them all (see docs/operations.md):
 *   index1  = kind ("webhook" | "guard_send" | "lake_batch" | "kinesis_batch" | "compaction" | "dead_letter" | "table_commit")
 *   blob1   = kind, blob2 = outcome or reason, blob3 = event type or queue name
 *   double1 = count (events, rows or records), double2..double6 = kind-specific figures
 *   guard_send (one point per packed send of a guard shard): blob3 = "ingest" | "forward",
 *     double1 = envelopes, double2 = requests, double3 = messages, double4 = send or sendBatch calls, double5 = requests refused
 */
export type MetricKind = "webhook" | "guard_send" | "lake_batch" | "kinesis_batch" | "compaction" | "dead_letter" | "table_commit";

export interface MetricPoint {
  kind: MetricKind;
  outcome: string;
  label: string;
  count: number;
  figures?: number[];
}

/** Never lets metrics break the data path: a missing binding or a failed write is ignored. */
export function recordMetric(dataset: AnalyticsEngineDataset | undefined, point: MetricPoint): void {
  try {
    dataset?.writeDataPoint({
      indexes: [point.kind],
      blobs: [point.kind, point.outcome, point.label.slice(0, 256)],
      doubles: [point.count, ...(point.figures ?? [])],
    });
  } catch {
    // Analytics Engine is best effort by design.
  }
}
