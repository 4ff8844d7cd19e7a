import { Hono } from "hono";
import * as z from "zod/mini";
import { adminAuth } from "../edge/admin-auth";
import type { AppEnv } from "../edge/app-env";
import { ApiError, toIssues } from "../errors";
import type { CompactionMessage } from "../contract/compaction-message";
import { enqueueCompactions } from "../lake/dirty-hours";
import { readJobStatus } from "../lake/job-status";
import { HOUR_MS, hourPartition } from "../sinks/lake-keys";

const MAX_REBUILD_HOURS = 24;

const RedriveRequest = z.object({
  queue: z.enum(["ingest", "forward"]),
  limit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
});

const RebuildRequest = z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) });
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
    const target = queue === "forward" ? c.env.FORWARD_QUEUE : c.env.INGEST_QUEUE;
    const page = await c.env.LAKE_BUCKET.list({ prefix: `dead-letter/${queue}/`, limit });
    const redriven: string[] = [];
    for (const object of page.objects) {
      const parked = await (await c.env.LAKE_BUCKET.get(object.key))?.json<{ body: unknown }>();
      if (!parked) continue;
      await target.send(parked.body, { contentType: "json" });
      redriven.push(object.key);
    }
    // Deleted only after every send succeeded; a failure above leaves them parked for the next run.
    if (redriven.length) await c.env.LAKE_BUCKET.delete(redriven);
    return c.json({ queue, redriven: redriven.length, more: page.truncated });
  })
  .post("/rebuild", async (c) => {
    const { from, to } = await readJson(c.req.raw, RebuildRequest);
    const hours = hoursBetween(from, to);
    if (hours.length === 0 || hours.length > MAX_REBUILD_HOURS) {
      throw new ApiError("validation_failed", `rebuild between 1 and ${MAX_REBUILD_HOURS} hours per call`);
    }
    // The cron's path: one plan message per hour on the compaction queue; poll /rebuild/<jobId>.
    const jobs = await enqueueCompactions(c.env.COMPACT_QUEUE as Queue<CompactionMessage>, hours, Date.now());
    return c.json({ jobs }, 202);
  })
  .get("/rebuild/:jobId", async (c) => {
    const jobId = c.req.param("jobId");
    if (!JOB_ID.test(jobId)) throw new ApiError("validation_failed", "invalid job id", [{ path: "jobId", message: "expected a job id returned by POST /admin/rebuild" }]);
    return c.json(await readJobStatus(c.env.LAKE_BUCKET, jobId));
  });
