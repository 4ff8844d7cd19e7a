import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliverStep, drain, exactness, runCron } from "../fixtures/compaction";
import { at, deliverAll, hourOf, seedHour, startJobs } from "../fixtures/compaction-races";
import { consumeBatch } from "../fixtures/consume";
import { listKeys } from "../fixtures/lake";
import { limitClock, QUEUE_HOP_MS } from "../fixtures/limits/r2-write-rate";

describe("exactly once after the next compaction, when steps crash or are delivered twice", () => {
  it("a crash between writing the files and registering them (which replaces the old ones): the retried merge rewrites the same keys", async () => {
    const hour = hourOf("2024-07-05");
    const accepted = await seedHour("2024-07-05");
    const queue = await startJobs(hour.partition);
    await deliverAll(queue, "plan");
    await deliverAll(queue, "sort");
    const merge = queue.pending.shift()!;
    // The old files are deleted by the table committer after the overwrite, so the crash point is the registration.
    const crashing = { send: async () => { throw new Error("crash before registering"); } } as unknown as Queue;
    expect(await deliverStep(queue, merge, { TABLE_QUEUE: crashing })).toBe(false); // retried, not acked
    expect((await exactness(hour.partition, accepted)).duplicated).toHaveLength(3);
    const filesAfterCrash = (await listKeys(env.LAKE_BUCKET, hour.prefix)).filter((k) => k.includes("rebuild-"));
    expect(await deliverStep(queue, merge, {}, 2)).toBe(true);
    expect(await deliverStep(queue, merge, {}, 1)).toBe(true); // a duplicate merge message is harmless
    expect(await listKeys(env.LAKE_BUCKET, hour.prefix)).toEqual(filesAfterCrash);
    expect(await exactness(hour.partition, accepted)).toEqual({ duplicated: [], missing: [], total: 3 });
  });

  it("a merge that never succeeds (dead-lettered) leaves the hour dirty, so the next cron redoes it", async () => {
    const hour = hourOf("2024-07-07");
    const accepted = await seedHour("2024-07-07");
    limitClock.advance(QUEUE_HOP_MS); // the test edits objects the lake writer wrote just now (R2: 1 write/s per key)
    for (const key of await listKeys(env.LAKE_BUCKET, "compaction/dirty/dt=2024-07-07_hour=09/")) await env.LAKE_BUCKET.delete(key); // written in time
    const queue = await startJobs(hour.partition);
    await deliverAll(queue, "plan");
    await deliverAll(queue, "sort");
    const failing = new Proxy(env.LAKE_BUCKET, { get: (t, p) => (p === "createMultipartUpload" ? async () => { throw new Error("R2 down"); } : Reflect.get(t, p).bind(t)) });
    for (let attempt = 1; attempt <= 11; attempt++) expect(await deliverStep(queue, queue.pending[0]!, { LAKE_BUCKET: failing }, attempt)).toBe(false);
    queue.pending.length = 0; // after max_retries the message is parked in the dead-letter queue
    expect(await exactness(hour.partition, accepted)).toMatchObject({ missing: [] });
    await runCron(hour.nextCron);
    expect(await exactness(hour.partition, accepted)).toEqual({ duplicated: [], missing: [], total: 3 });
    expect(await listKeys(env.LAKE_BUCKET, hour.prefix)).toHaveLength(1);
  });

  it("a plan delivered twice, a write sorting first landing between: the merge reads only the stored plan's runs", async () => {
    const hour = hourOf("2024-07-08");
    const accepted = await seedHour("2024-07-08");
    const queue = await startJobs(hour.partition);
    const plan = queue.pending.shift()!;
    const oneObjectPerShard = { COMPACTION_SHARD_EVENTS: "1" } as Partial<Env>;
    let open!: () => void, listed!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const planListed = new Promise<void>((resolve) => (listed = resolve));
    const slowPlanPut = new Proxy(env.LAKE_BUCKET, { get: (t, p) => (p === "put" ? async (k: string, ...r: unknown[]) => (k.endsWith("plan.json") && (listed(), await gate), (t.put as Function).call(t, k, ...r)) : Reflect.get(t, p).bind(t)) });
    const first = deliverStep(queue, plan, { ...oneObjectPerShard, LAKE_BUCKET: slowPlanPut });
    await planListed; // it listed 2 raw objects and waits to store its plan
    const late = at("2024-07-08", 30);
    await consumeBatch("milk-ingest", [late]);
    const [, , lateRaw] = await listKeys(env.LAKE_BUCKET, "raw/dt=2024-07-08/hour=09/");
    const object = (await env.LAKE_BUCKET.get(lateRaw!))!;
    limitClock.advance(QUEUE_HOP_MS);
    await env.LAKE_BUCKET.put(lateRaw!, await object.arrayBuffer(), { customMetadata: { ...object.customMetadata, processed_at: "2024-07-08T09:59:00.000Z" } }); // sorts first
    expect(await deliverStep(queue, plan, oneObjectPerShard, 2)).toBe(true); // the duplicate delivery: 3 shards
    limitClock.advance(QUEUE_HOP_MS); // the slow put lands over a second later (sooner, R2 refuses it with a 429 and the plan is retried)
    open();
    expect(await first).toBe(true); // stored last: its plan (2 shards) is the one the merge reads
    for (const message of queue.pending.splice(0).reverse()) await deliverStep(queue, message); // its sorts first, the duplicate's after
    await drain(queue);
    expect((await exactness(hour.partition, [...accepted, late.id])).missing).toEqual([]); // never lost, not even until the next cron
    await runCron(hour.nextCron);
    expect(await exactness(hour.partition, [...accepted, late.id])).toEqual({ duplicated: [], missing: [], total: 4 });
  });
});
