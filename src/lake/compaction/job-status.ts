import { keyOf, listAll, putJson, readJson } from "../bucket-io";
import { donePrefix, planKey, queuedKey, statusKey } from "../keys";
import type { JobStatus } from "./merge-step";
import type { JobPlan } from "./plan-step";

export type JobProgress = JobStatus | { jobId: string; state: "queued" } | { jobId: string; partition: string; state: "running"; shards: number; shardsDone: number };

type QueuedJob = { jobId: string; partition: string };

/** Records jobs about to be enqueued; the merge's clean-up deletes the record with the job's other objects. */
export async function recordQueuedJobs(bucket: R2Bucket, jobs: readonly QueuedJob[]): Promise<void> {
  await Promise.all(jobs.map((job) => putJson(bucket, queuedKey(job.jobId), job)));
}

/**
 * A job's outcome once merged, else how far it got (from the objects it has written); null for
 * a job id that was never enqueued.
 */
export async function readJobStatus(bucket: R2Bucket, jobId: string): Promise<JobProgress | null> {
  const status = await readJson<JobStatus>(bucket, statusKey(jobId));
  if (status) return status;
  const plan = await readJson<JobPlan>(bucket, planKey(jobId));
  if (!plan) return (await readJson<QueuedJob>(bucket, queuedKey(jobId))) ? { jobId, state: "queued" } : null;
  const done = await listAll(bucket, donePrefix(jobId, plan.planId), keyOf);
  return { jobId, partition: plan.partition, state: "running", shards: plan.shards, shardsDone: done.length };
}
