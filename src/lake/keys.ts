export const HOUR_MS = 3_600_000;

/** Instants whose UTC year has four digits; outside them toISOString gives `+010000-…` or `-000001-…`. */
const FIRST_PARTITION_MS = Date.parse("0000-01-01T00:00:00.000Z");
const LAST_PARTITION_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether `ms` has a `dt=YYYY-MM-DD/hour=HH` partition (UTC year 0000–9999). */
export function hasHourPartition(ms: number): boolean {
  return ms >= FIRST_PARTITION_MS && ms <= LAST_PARTITION_MS;
}

/**
 * `dt=YYYY-MM-DD/hour=HH` of a UTC epoch-ms instant. Throws outside years 0000–9999, so no
 * malformed key (which breaks every hive-partitioned scan of the lake) can ever be written.
 */
export function hourPartition(ms: number): string {
  if (!hasHourPartition(ms)) throw new RangeError(`no hour partition for ${ms}: UTC year outside 0000–9999`);
  const iso = new Date(ms).toISOString();
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** Unique, never reused object name: write time plus a random suffix. */
export function uniqueName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, "");
  return `${stamp}-${crypto.randomUUID()}`;
}

/**
 * Object keys of the lake's lifecycle. Batch files share a unique name with their raw twin:
 * `locations/<p>/<name>.parquet` and `raw/<p>/<name>.ndjson.gz`. Compacted files are
 * `locations/<p>/rebuild-<jobId>-<nnnn>.parquet` (deterministic per job, so a retried merge
 * overwrites instead of adding). `<p>` is `dt=YYYY-MM-DD/hour=HH`.
 */
export const COMPACTED_PREFIX = "rebuild-";
export const DIRTY_PREFIX = "compaction/dirty/";

/** The partition as one path segment, so a delimiter listing yields one prefix per dirty hour. */
export const partitionSegment = (partition: string) => partition.replace("/", "_");
export const segmentPartition = (segment: string) => segment.replace("_", "/");

export const dirtyPrefix = (partition: string) => `${DIRTY_PREFIX}${partitionSegment(partition)}/`;
export const jobPrefix = (jobId: string) => `compaction/jobs/${jobId}/`;
/**
 * Runs and done markers live under the plan that made their shards: a plan message delivered
 * twice plans twice (the second listing may differ), and the merge must read the runs of the
 * plan it reads, never shard n of one plan next to shard m of another.
 */
export const shardsPrefix = (jobId: string, planId: string) => `${jobPrefix(jobId)}plans/${planId}/`;
export const donePrefix = (jobId: string, planId: string) => `${shardsPrefix(jobId, planId)}done/`;
export const runKey = (jobId: string, planId: string, shard: number) => `${shardsPrefix(jobId, planId)}runs/${String(shard).padStart(5, "0")}.ndjson`;
/** A shard's ids in id order, with their sort keys: what the merge's duplicate pass reads. */
export const idRunKey = (jobId: string, planId: string, shard: number) => `${shardsPrefix(jobId, planId)}ids/${String(shard).padStart(5, "0")}.ndjson`;
export const tombstoneKey = (jobId: string, planId: string, run: number) => `${shardsPrefix(jobId, planId)}tombstones/${String(run).padStart(5, "0")}.ndjson`;
/** A run the merge combined from input runs `first`…`last` of one kind (combine-runs.ts). */
export const combinedKey = (jobId: string, planId: string, kind: string, first: number, last: number) =>
  `${shardsPrefix(jobId, planId)}combined/${kind}/${String(first).padStart(5, "0")}-${String(last).padStart(5, "0")}.ndjson`;
/** The raw objects one shard sorts, stored by the plan so a sort message stays a few hundred bytes. */
export const shardSourcesKey = (jobId: string, planId: string, shard: number) => `${shardsPrefix(jobId, planId)}sources/${String(shard).padStart(5, "0")}.json`;
export const shardDoneKey = (jobId: string, planId: string, shard: number) => `${donePrefix(jobId, planId)}${String(shard).padStart(5, "0")}.json`;
export const planKey = (jobId: string) => `${jobPrefix(jobId)}plan.json`;
export const statusKey = (jobId: string) => `${jobPrefix(jobId)}status.json`;
/** Written when the job is enqueued, so its status is `queued`, not unknown, until it plans. */
export const queuedKey = (jobId: string) => `${jobPrefix(jobId)}queued.json`;
export const compactedKey = (partition: string, jobId: string, file: number) =>
  `locations/${partition}/${COMPACTED_PREFIX}${jobId}-${String(file).padStart(4, "0")}.parquet`;
/** One quarantine copy per source raw object: reruns overwrite it instead of adding copies. */
export const rejectedKey = (partition: string, rawKey: string) => `quarantine/rebuild/${partition}/${baseName(rawKey)}.json`;

/** The unique name shared by a batch file and its raw twin. */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1).replace(/\.(parquet|ndjson\.gz)$/, "");
}

export const isCompacted = (key: string) => baseName(key).startsWith(COMPACTED_PREFIX);

/** Epoch ms at which `dt=YYYY-MM-DD/hour=HH` ends. */
export function partitionEndMs(partition: string): number {
  const match = /^dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})$/.exec(partition);
  if (!match) throw new Error(`not a lake partition: ${partition}`);
  return Date.parse(`${match[1]}T${match[2]}:00:00.000Z`) + HOUR_MS;
}

/**
 * The table committer's own records (src/lake/table/commit/): what each compaction's overwrite
 * removes and adds (kept so an append that arrives after the overwrite is not re-added), and one
 * small status object per hour that loaders read instead of listing files.
 */
export const TABLE_CHANGES_PREFIX = "table-state/changes/";
export const tableChangesPrefix = (partition: string) => `${TABLE_CHANGES_PREFIX}${partitionSegment(partition)}/`;
export const tableChangeKey = (partition: string, jobId: string) => `${tableChangesPrefix(partition)}${jobId}.json`;
export const hourStatusKey = (partition: string) => `table-state/hours/${partitionSegment(partition)}.json`;

/** Iceberg names every object by absolute URI, `s3://<bucket>/<key>` (bucket name from config). */
export const objectUri = (bucketName: string, key: string) => `s3://${bucketName}/${key}`;

/** The bucket and key of an `s3://<bucket>/<key>` URI (a table location, manifest or data file path). */
export function parseObjectUri(uri: string): { bucketName: string; key: string } {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// object URI: ${uri}`);
  return { bucketName: match[1]!, key: match[2]! };
}

/** A table's own files (metadata JSON, manifest lists, manifests) live under `<location>/metadata/`. */
export const tableMetadataKey = (tableLocation: string, name: string) => {
  const { key } = parseObjectUri(tableLocation);
  return `${key ? `${key}/` : ""}metadata/${name}`;
};
