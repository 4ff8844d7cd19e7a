import { deleteKeys, keyOf, listAll, putJson, readJson } from "../bucket-io";
import type { CompactionDeps } from "./config";
import { compactedKey, isCompacted, jobPrefix, planKey, shardDoneKey, statusKey, tableChangeKey } from "../keys";
import type { TableChangeRecord } from "../../contract/table-message";
import { registerOverwrite } from "../table/commit/register-files";
import { markHourDirty } from "../batch/batch-files";
import { openMergedRows } from "./merge-runs";
import { uploadParquetFiles } from "./parquet-upload";
import type { JobPlan } from "./plan-step";
import type { ShardDone } from "./sort-step";

export interface JobStatus {
  jobId: string;
  partition: string;
  state: "done" | "blocked";
  rows: number;
  files: string[];
  replaced: number;
  rejected: number;
  rejectedRaw: string[];
  rawObjects: number;
  reason?: string;
}

async function readShards(deps: CompactionDeps, plan: JobPlan) {
  const totals = { rows: 0, rejected: 0, rejectedRaw: [] as string[] };
  for (let shard = 0; shard < plan.shards; shard++) {
    const done = await readJson<ShardDone>(deps.bucket, shardDoneKey(plan.jobId, plan.planId, shard));
    if (!done) throw new Error(`shard ${shard} of ${plan.jobId} not done`);
    totals.rows += done.rows;
    totals.rejected += done.rejected;
    totals.rejectedRaw.push(...done.rejectedRaw);
  }
  return totals;
}

/** Deletes what the job no longer needs; safe to repeat. Markers written during the job stay. */
async function cleanUp(deps: CompactionDeps, plan: JobPlan) {
  await deleteKeys(deps.bucket, plan.markers);
  const own = (await listAll(deps.bucket, jobPrefix(plan.jobId), keyOf)).filter((k) => k !== statusKey(plan.jobId));
  await deleteKeys(deps.bucket, own);
}

/**
 * Another job's generation that this job did not replace means two compactions ran at once:
 * the hour is marked dirty again so the next cron folds both into one.
 */
async function remarkIfRaced(deps: CompactionDeps, plan: JobPlan, replaced: Set<string>, nowMs: number) {
  const mine = compactedKey(plan.partition, plan.jobId, 0).slice(0, -"0000.parquet".length);
  const current = await listAll(deps.bucket, `locations/${plan.partition}/`, keyOf);
  if (current.some((key) => isCompacted(key) && !key.startsWith(mine) && !replaced.has(key))) await markHourDirty(deps.bucket, plan.partition, nowMs);
}

/**
 * Registers the new generation with the table as one overwrite: the change record (new files,
 * and what they replace) first, then the message naming it. The committer removes the replaced
 * files from the table, and deletes the objects once no retained snapshot references them.
 */
async function registerGeneration(deps: CompactionDeps, plan: JobPlan, add: TableChangeRecord["add"], removeKeys: string[]) {
  const record: TableChangeRecord = { jobId: plan.jobId, partition: plan.partition, add, removeKeys };
  await putJson(deps.bucket, tableChangeKey(plan.partition, plan.jobId), record);
  await registerOverwrite(deps.table, plan.jobId, plan.partition);
}

/**
 * Merge step: k-way merges the shard runs into sorted files of the target size, then registers
 * them as a table overwrite replacing what the new generation replaces (earlier compacted files,
 * orphans, batch files whose raw twin was read without a rejection); the committer deletes those
 * objects later (src/lake/table/commit/expire-files.ts). Output keys are fixed per job, so a
 * retried or duplicate merge rewrites the same files; a job with a status object is only cleaned up again.
 */
export async function mergeJob(deps: CompactionDeps, jobId: string, nowMs: number): Promise<JobStatus | null> {
  const { bucket } = deps;
  const finished = await readJson<JobStatus>(bucket, statusKey(jobId));
  if (finished) {
    const plan = await readJson<JobPlan>(bucket, planKey(jobId));
    if (plan) await cleanUp(deps, plan);
    return finished;
  }
  const inputs = await prepareMerge(deps, jobId);
  if (!inputs.head) return inputs.status!;
  // The plan's key lists (about 10 B per event) are not held during the merge: read again after.
  const { head, shards } = inputs;
  const rows = await openMergedRows(deps, { jobId, planId: head.planId, shards: head.shards });
  const written = await uploadParquetFiles(bucket, rows, deps.config, (n) => compactedKey(head.partition, jobId, n), { job_id: jobId, rebuilt_from_raw_objects: String(head.rawObjects) });
  const plan = await readJson<JobPlan>(bucket, planKey(jobId));
  if (!plan) throw new Error(`plan of ${jobId} vanished during its merge`);
  const rejectedRaw = new Set(shards.rejectedRaw);
  const replaced = [...plan.replace, ...Object.entries(plan.twins).filter(([raw]) => !rejectedRaw.has(raw)).map(([, parquet]) => parquet)];
  await registerGeneration(deps, plan, written.sizes.map((f) => ({ ...f, partition: plan.partition })), replaced);
  const status: JobStatus = { ...baseStatus(jobId, plan, shards), state: "done", rows: written.rows, files: written.files, replaced: replaced.length };
  await putJson(bucket, statusKey(jobId), status);
  await remarkIfRaced(deps, plan, new Set(replaced), nowMs);
  await cleanUp(deps, plan);
  return status;
}

type ShardTotals = Awaited<ReturnType<typeof readShards>>;

function baseStatus(jobId: string, plan: JobPlan, shards: ShardTotals) {
  return { jobId, partition: plan.partition, rejected: shards.rejected, rejectedRaw: shards.rejectedRaw, rawObjects: plan.rawObjects };
}

/** Reads the plan and the shards' results; a job that must not replace anything ends here as blocked. */
async function prepareMerge(deps: CompactionDeps, jobId: string) {
  const plan = await readJson<JobPlan>(deps.bucket, planKey(jobId));
  if (!plan) throw new Error(`no plan for ${jobId}`);
  const shards = await readShards(deps, plan);
  // Rows of a rejected raw object whose batch file is gone live only in earlier compacted files: keep everything.
  const orphanedRejects = shards.rejectedRaw.filter((key) => !plan.twins[key]);
  if (orphanedRejects.length && plan.replace.some(isCompacted)) {
    const status: JobStatus = { ...baseStatus(jobId, plan, shards), state: "blocked", rows: 0, files: [], replaced: 0, reason: `rejected envelopes in ${orphanedRejects.length} raw object(s) whose rows live only in earlier compacted files` };
    await putJson(deps.bucket, statusKey(jobId), status);
    await cleanUp(deps, plan);
    return { status };
  }
  const { partition, planId, shards: shardCount, rawObjects } = plan;
  return { head: { partition, planId, shards: shardCount, rawObjects }, shards };
}
