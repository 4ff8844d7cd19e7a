import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { compareRecords } from "../../src/sinks/lake-parquet";
import type { LocationRecord } from "../../src/normalize";
import { compactionQueue, drain, exactness, runCron } from "../fixtures/compaction";
import { consumeBatch } from "../fixtures/consume";
import { listKeys, readParquetObject } from "../fixtures/lake";
import { makeMessage, queued } from "../fixtures/messages";
import compactWorker from "../../src/compact-worker";
import worker from "../../src/worker";
import { makeEvent } from "../fixtures/webhook";

const at = (hour: string, minute: number, user = `driver-${minute % 4}`) =>
  makeMessage({ event: makeEvent({ createdAt: `${hour}:${String(minute % 60).padStart(2, "0")}:00.000Z`, user: { _id: user } }) });

describe("hourly compaction (cron → plan → sort → merge on the compaction queue)", () => {
  it("rolls an hour's batch files into one sorted file with each id once, and clears its dirty markers", async () => {
    const hour = "2024-06-01T09";
    const first = [at(hour, 1), at(hour, 2)];
    await consumeBatch("milk-ingest", first);
    await consumeBatch("milk-ingest", [at(hour, 3), first[0]!]); // a redelivered duplicate
    await consumeBatch("milk-ingest", [at(hour, 4)]);
    const prefix = "locations/dt=2024-06-01/hour=09/";
    expect(await listKeys(env.LAKE_BUCKET, prefix)).toHaveLength(3);
    expect(await listKeys(env.LAKE_BUCKET, "compaction/dirty/dt=2024-06-01_hour=09/")).toHaveLength(3); // written late

    const jobs = await runCron(Date.parse("2024-06-01T10:15:00.000Z"));
    expect(jobs).toHaveLength(1);
    const keys = await listKeys(env.LAKE_BUCKET, prefix);
    expect(keys).toEqual([`${prefix}rebuild-${jobs[0]}-0000.parquet`]);
    const accepted = [...first, at(hour, 3), at(hour, 4)].map((m) => m.id);
    expect(await exactness("dt=2024-06-01/hour=09", accepted.slice(0, 2))).toMatchObject({ duplicated: [], missing: [], total: 4 });
    expect(await listKeys(env.LAKE_BUCKET, "compaction/dirty/dt=2024-06-01_hour=09/")).toEqual([]);
    expect(await listKeys(env.LAKE_BUCKET, `compaction/jobs/${jobs[0]}/`)).toEqual([`compaction/jobs/${jobs[0]}/status.json`]);
  });

  it("leaves a compacted hour alone when nothing new arrived", async () => {
    await consumeBatch("milk-ingest", [at("2024-06-02T09", 30), at("2024-06-02T09", 31)]);
    await runCron(Date.parse("2024-06-02T10:15:00.000Z"));
    const keys = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-02/hour=09/");
    expect(await runCron(Date.parse("2024-06-02T11:15:00.000Z"))).toEqual([]);
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-02/hour=09/")).toEqual(keys);
  });

  it("compacts late hours, whichever hour the cron fires for, but never an open hour", async () => {
    await consumeBatch("milk-ingest", [at("2024-06-03T01", 5), at("2024-06-03T07", 5), at("2024-06-03T12", 5)]);
    await consumeBatch("milk-ingest", [at("2024-06-03T01", 6), at("2024-06-03T07", 6), at("2024-06-03T12", 6)]);
    // As of 12:15 the 12:00 hour is still open: only hours 01 and 07 are compacted.
    await runCron(Date.parse("2024-06-03T12:15:00.000Z"));
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-03/hour=01/")).toHaveLength(1);
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-03/hour=07/")).toHaveLength(1);
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-03/hour=12/")).toHaveLength(2);
    await runCron(Date.parse("2024-06-03T13:15:00.000Z"));
    expect(await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-03/hour=12/")).toHaveLength(1);
  });

  it("splits a big hour into sorted files of the target size across shards, each id in exactly one file", async () => {
    const hour = "2024-06-04T09";
    const messages = Array.from({ length: 240 }, (_, i) => makeMessage({ event: makeEvent({ createdAt: `${hour}:${String(i % 60).padStart(2, "0")}:${String(i % 47).padStart(2, "0")}.000Z`, user: { _id: `driver-${i % 13}` } }) }));
    for (let i = 0; i < messages.length; i += 20) await consumeBatch("milk-ingest", messages.slice(i, i + 20).concat(i ? [messages[i - 1]!] : []));
    const queue = compactionQueue();
    // Fan-in 2: the merge first combines the shards' runs, over two levels.
    const overrides = { COMPACTION_SHARD_EVENTS: "50", COMPACTION_TARGET_FILE_BYTES: "4096", COMPACTION_ROW_GROUP_ROWS: "30", COMPACTION_MERGE_FAN_IN: "2" } as Partial<Env>;
    const { enqueueCompactions } = await import("../../src/lake/compaction/dirty-hours");
    await enqueueCompactions(queue as unknown as Queue, env.LAKE_BUCKET, ["dt=2024-06-04/hour=09"], Date.now());
    await drain(queue, overrides);
    const keys = await listKeys(env.LAKE_BUCKET, "locations/dt=2024-06-04/hour=09/");
    expect(keys.length).toBeGreaterThan(1);
    expect(await exactness("dt=2024-06-04/hour=09", messages.map((m) => m.id))).toMatchObject({ duplicated: [], missing: [], total: 240 });
    let last: LocationRecord | undefined;
    for (const key of keys) {
      for (const row of (await readParquetObject(env.LAKE_BUCKET, key)).rows) {
        const record = { ...row, created_at: Number(row.created_at as Date) } as unknown as LocationRecord;
        if (last) expect(compareRecords(last, record)).toBeLessThan(0); // sorted within and across files
        last = record;
      }
    }
  });
});

describe("one id under two sort keys (a resent event whose time changed)", () => {
  it("keeps the first copy across shards, so the id is in the hour exactly once", async () => {
    const first = makeMessage({ event: makeEvent({ createdAt: "2024-06-05T09:10:00.000Z", user: { _id: "driver-a" } }) });
    const resent = { ...first, event: { ...first.event, createdAt: "2024-06-05T09:40:00.000Z" } };
    await consumeBatch("milk-ingest", [first, at("2024-06-05T09", 20, "driver-a")]); // sorts between the two copies
    await consumeBatch("milk-ingest", [resent]);
    const queue = compactionQueue();
    const { enqueueCompactions } = await import("../../src/lake/compaction/dirty-hours");
    await enqueueCompactions(queue as unknown as Queue, env.LAKE_BUCKET, ["dt=2024-06-05/hour=09"], Date.now());
    await drain(queue, { COMPACTION_SHARD_EVENTS: "1" } as Partial<Env>); // one raw object per shard
    const counts = await exactness("dt=2024-06-05/hour=09", [first.id]);
    expect(counts).toMatchObject({ duplicated: [], missing: [], total: 2 });
  });
});

describe("compaction dead letters", () => {
  it("parks a dead-lettered step under dead-letter/compact/, apart from the ingest and forward redrive prefixes", async () => {
    const step = { step: "plan", jobId: "20240606T091500000Z-00000000-0000-4000-8000-000000000000", partition: "dt=2024-06-06/hour=09" };
    const batch = createMessageBatch("milk-compact-dlq", [queued(step, 11)]);
    const ctx = createExecutionContext();
    await compactWorker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    const [key] = await listKeys(env.LAKE_BUCKET, "dead-letter/compact/");
    expect(await (await env.LAKE_BUCKET.get(key!))!.json()).toMatchObject({ origin: "compact", queue: "milk-compact-dlq", body: step });
  });
});

describe("the edge never runs compaction (its own Worker: wrangler.compact.toml)", () => {
  it("each Worker refuses the other's queues: the batch is retried, nothing run", async () => {
    const step = { step: "plan", jobId: "20240607T091500000Z-00000000-0000-4000-8000-000000000000", partition: "dt=2024-06-07/hour=09" };
    for (const [handler, queue, body] of [[worker, "milk-compact", step], [compactWorker, "milk-ingest", makeMessage()]] as const) {
      const batch = createMessageBatch(queue, [queued(body)]);
      const ctx = createExecutionContext();
      await handler.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result).toMatchObject({ retryBatch: { retry: true }, explicitAcks: [] });
    }
    expect(await listKeys(env.LAKE_BUCKET, "compaction/jobs/20240607T091500000Z-00000000-0000-4000-8000-000000000000/")).toEqual([]);
    expect("scheduled" in worker).toBe(false); // the cron is the compaction Worker's
  });
});
