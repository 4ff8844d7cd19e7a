import { Hono } from "hono";
import * as z from "zod/mini";
import { adminAuth } from "../edge/admin-auth";
import type { AppEnv } from "../edge/app-env";
import { ApiError, toIssues } from "../errors";
import type { CompactionMessage } from "../contract/compaction-message";
import { enqueueCompactions } from "../lake/compaction/dirty-hours";
import { readJobStatus } from "../lake/compaction/job-status";
import { HOUR_MS, hasHourPartition, hourPartition } from "../lake/keys";
import { redriveParked } from "../redrive";

const MAX_REBUILD_HOURS = 24;

const RedriveRequest = z.object({
  queue: z.enum(["ingest", "forward", "table"]),
  limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
});

// Years past 9999 (e.g. 9999-12-31T23:00-05:00) have no partition: a 400, not a 500 from hourPartition.
const LakeInstant = z.iso.datetime({ offset: true }).check(z.refine((value) => hasHourPartition(Date.parse(value)), "no lake hour at this instant"));
const RebuildRequest = z.object({ from: LakeInstant, to: LakeInstant });
const JOB_ID = /^\d{8}T\d{9}Z-[0-9a-f-]{36}$/;

async function readJson<T>(request: Request, schema: z.ZodMiniType<T>): Promise<T> {
  const body = await request.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError("validation_failed", "invalid admin request", toIssues(parsed.error));
  }
  return parsed.data;
}

/** Hours whose start lies in [from, to), as `dt=…/hour=…` partitions. */
export function hoursBetween(fromIso: string, toIso: string): string[] {
  const start = Math.floor(Date.parse(fromIso) / HOUR_MS) * HOUR_MS;
  const end = Date.parse(toIso);
  const hours: string[] = [];
  for (let t = start; t < end && hours.length <= MAX_REBUILD_HOURS; t += HOUR_MS) hours.push(hourPartition(t));
  return hours;
}

export const admin = new Hono<AppEnv>()
  .use(adminAuth())
  .post("/redrive", async (c) => {
    const { queue, limit = 500 } = await readJson(c.req.raw, RedriveRequest);
    const target = { ingest: c.env.INGEST_QUEUE, forward: c.env.FORWARD_QUEUE, table: c.env.TABLE_QUEUE }[queue];
    const result = await redriveParked(c.env.LAKE_BUCKET, target, queue, limit, Date.now());
    return c.json({ queue, ...result });
  })
  .post("/rebuild", async (c) => {
    const { from, to } = await readJson(c.req.raw, RebuildRequest);
    const hours = hoursBetween(from, to);
    if (hours.length === 0 || hours.length > MAX_REBUILD_HOURS) {
      throw new ApiError("validation_failed", `rebuild between 1 and ${MAX_REBUILD_HOURS} hours per call`);
    }
    // The cron's path: one plan message per hour on the compaction queue; poll /rebuild/<jobId>.
    const jobs = await enqueueCompactions(c.env.COMPACT_QUEUE as Queue<CompactionMessage>, c.env.LAKE_BUCKET, hours, Date.now());
    return c.json({ jobs }, 202);
  })
  .get("/rebuild/:jobId", async (c) => {
    const jobId = c.req.param("jobId");
    if (!JOB_ID.test(jobId)) throw new ApiError("validation_failed", "invalid job id", [{ path: "jobId", message: "expected a job id returned by POST /admin/rebuild" }]);
    const status = await readJobStatus(c.env.LAKE_BUCKET, jobId);
    if (!status) throw new ApiError("not_found", "no rebuild job with this id was enqueued");
    return c.json(status);
  });
