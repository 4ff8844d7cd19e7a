import { keyOf, listAll, readJson } from "../bucket-io";
import { donePrefix, jobPrefix, statusKey } from "../keys";
import type { JobStatus } from "./merge-step";
import type { JobPlan } from "./plan-step";

export type JobProgress = JobStatus | { jobId: string; state: "queued" } | { jobId: string; partition: string; state: "running"; shards: number; shardsDone: number };

/** A job's outcome once merged, else how far it got (from the objects it has written). */
export async function readJobStatus(bucket: R2Bucket, jobId: string): Promise<JobProgress> {
  const status = await readJson<JobStatus>(bucket, statusKey(jobId));
  if (status) return status;
  const plan = await readJson<JobPlan>(bucket, `${jobPrefix(jobId)}plan.json`);
  if (!plan) return { jobId, state: "queued" };
  const done = await listAll(bucket, donePrefix(jobId, plan.planId), keyOf);
  return { jobId, partition: plan.partition, state: "running", shards: plan.shards, shardsDone: done.length };
}
