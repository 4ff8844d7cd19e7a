import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CompactionMessage } from "../../src/contract/compaction-message";
import { enqueueCompactions } from "../../src/lake/dirty-hours";
import worker from "../../src/worker";
import { compactionQueue, deliverStep, drain, exactness, runCron, type CompactionQueue } from "../fixtures/compaction";
import { consumeBatch } from "../fixtures/consume";
import { listKeys } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { testEnv } from "../fixtures/queues";
import { makeEvent } from "../fixtures/webhook";

const hourOf = (day: string) => ({ partition: `dt=${day}/hour=09`, prefix: `locations/dt=${day}/hour=09/`, nextCron: Date.parse(`${day}T10:15:00.000Z`) + 3_600_000 });
const at = (day: string, minute: number) => makeMessage({ event: makeEvent({ createdAt: `${day}T09:${String(minute).padStart(2, "0")}:00.000Z`, user: { _id: `driver-${minute % 3}` } }) });

/** Writes two batch files (one redelivered duplicate) and returns the accepted ids. */
async function seedHour(day: string) {
  const messages = [at(day, 1), at(day, 2), at(day, 3)];
  await consumeBatch("milk-ingest", messages.slice(0, 2));
  await consumeBatch("milk-ingest", [messages[2]!, messages[0]!]);
  return Object.assign(messages.map((m) => m.id), { messages });
}

/** Delivers every pending message of one step, in order. */
async function deliverAll(queue: CompactionQueue, step: CompactionMessage["step"], overrides: Partial<Env> = {}) {
  const mine = queue.pending.filter((m) => m.step === step);
  queue.pending.splice(0, queue.pending.length, ...queue.pending.filter((m) => m.step !== step));
  return Promise.all(mine.map((m) => deliverStep(queue, m, overrides)));
}

async function startJobs(partition: string, count = 1) {
  const queue = compactionQueue();
  await enqueueCompactions(queue as unknown as Queue, Array(count).fill(partition), Date.now());
  return queue;
}

async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("exactly once in the files after the next compaction", () => {
  it("two compactions of one hour at once: the later one re-marks the hour and the next cron folds both", async () => {
    const hour = hourOf("2024-07-01");
    const accepted = await seedHour("2024-07-01");
    const queue = await startJobs(hour.partition, 2);
    await deliverAll(queue, "plan");
    await deliverAll(queue, "sort");
    await deliverAll(queue, "merge");
    expect((await exactness(hour.partition, accepted)).duplicated).toHaveLength(3); // both generations survived…
    expect((await listKeys(env.LAKE_BUCKET, "compaction/dirty/dt=2024-07-01_hour=09/")).length).toBeGreaterThan(0); // …and the hour is dirty again
    await runCron(hour.nextCron);
    expect(await exactness(hour.partition, accepted)).toEqual({ duplicated: [], missing: [], total: 3 });
    expect(await listKeys(env.LAKE_BUCKET, hour.prefix)).toHaveLength(1);
  });

  it("lake write racing compaction, raw put before the listing and Parquet put after it", async () => {
    const hour = hourOf("2024-07-02");
    const accepted = await seedHour("2024-07-02");
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const bucket = new Proxy(env.LAKE_BUCKET, {
      get: (target, prop) =>
        prop === "put"
          ? async (key: string, ...rest: unknown[]) => (key.startsWith("locations/") && (await gate), (target.put as Function).call(target, key, ...rest))
          : Reflect.get(target, prop).bind(target),
    });
    const late = at("2024-07-02", 40);
    const writing = consumeBatch("milk-ingest", [late], { overrides: { LAKE_BUCKET: bucket } });
    await until(async () => (await listKeys(env.LAKE_BUCKET, "raw/dt=2024-07-02/hour=09/")).length === 3);
    const queue = await startJobs(hour.partition);
    for (const step of ["plan", "sort", "merge"] as const) await deliverAll(queue, step);
    open();
    await writing;
    expect((await exactness(hour.partition, [...accepted, late.id])).duplicated).toEqual([late.id]); // the race happened
    await runCron(hour.nextCron); // the writer's marker came after its Parquet put, so the hour is still dirty
    expect(await exactness(hour.partition, [...accepted, late.id])).toEqual({ duplicated: [], missing: [], total: 4 });
  });

  it("lake write landing wholly between plan and merge, and the old Parquet-then-raw order", async () => {
    const hour = hourOf("2024-07-03");
    const accepted = await seedHour("2024-07-03");
    const queue = await startJobs(hour.partition);
    await deliverAll(queue, "plan");
    const late = at("2024-07-03", 41);
    await consumeBatch("milk-ingest", [late]);
    // Old code's order: a batch file whose raw twin lands after the listing.
    const old = at("2024-07-03", 42);
    await consumeBatch("milk-ingest", [old], { overrides: { LAKE_BUCKET: new Proxy(env.LAKE_BUCKET, { get: (t, p) => (p === "put" ? async (k: string, ...r: unknown[]) => (k.startsWith("raw/") ? null : (t.put as Function).call(t, k, ...r)) : Reflect.get(t, p).bind(t)) }) } });
    const [oldParquet] = (await listKeys(env.LAKE_BUCKET, hour.prefix)).filter((k) => !k.includes("rebuild-")).slice(-1);
    await deliverAll(queue, "sort");
    await deliverAll(queue, "merge");
    const all = [...accepted, late.id, old.id];
    expect(await exactness(hour.partition, all)).toMatchObject({ duplicated: [], missing: [] });
    await runCron(hour.nextCron);
    expect(await exactness(hour.partition, all)).toEqual({ duplicated: [], missing: [], total: 5 });
    expect(oldParquet).toBeDefined();
  });

  it("an orphan batch file (raw put failed) is kept within the grace period, then deleted", async () => {
    const hour = hourOf("2024-07-04");
    const accepted = await seedHour("2024-07-04");
    const [batch] = await listKeys(env.LAKE_BUCKET, hour.prefix);
    const orphan = `${hour.prefix}20240704T091500000Z-00000000-0000-4000-8000-000000000000.parquet`;
    await env.LAKE_BUCKET.put(orphan, await (await env.LAKE_BUCKET.get(batch!))!.arrayBuffer());
    await runCron(Date.parse("2024-07-04T10:15:00.000Z"));
    expect(await listKeys(env.LAKE_BUCKET, hour.prefix)).toContain(orphan); // young: its raw put may still land
    const queue = await startJobs(hour.partition);
    for (const step of ["plan", "sort", "merge"] as const) await deliverAll(queue, step, { COMPACTION_ORPHAN_GRACE_MS: "1" } as Partial<Env>);
    expect(await listKeys(env.LAKE_BUCKET, hour.prefix)).not.toContain(orphan);
    expect(await exactness(hour.partition, accepted)).toEqual({ duplicated: [], missing: [], total: 3 });
  });

  it("a crash between writing the files and deleting the old ones: the retried merge rewrites the same keys", async () => {
    const hour = hourOf("2024-07-05");
    const accepted = await seedHour("2024-07-05");
    const queue = await startJobs(hour.partition);
    await deliverAll(queue, "plan");
    await deliverAll(queue, "sort");
    const merge = queue.pending.shift()!;
    const crashing = new Proxy(env.LAKE_BUCKET, { get: (t, p) => (p === "delete" ? async () => { throw new Error("crash before delete"); } : Reflect.get(t, p).bind(t)) });
    expect(await deliverStep(queue, merge, { LAKE_BUCKET: crashing })).toBe(false); // retried, not acked
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
    await env.LAKE_BUCKET.put(lateRaw!, await object.arrayBuffer(), { customMetadata: { ...object.customMetadata, processed_at: "2024-07-08T09:59:00.000Z" } }); // sorts first
    expect(await deliverStep(queue, plan, oneObjectPerShard, 2)).toBe(true); // the duplicate delivery: 3 shards
    open();
    expect(await first).toBe(true); // stored last: its plan (2 shards) is the one the merge reads
    for (const message of queue.pending.splice(0).reverse()) await deliverStep(queue, message); // its sorts first, the duplicate's after
    await drain(queue);
    expect((await exactness(hour.partition, [...accepted, late.id])).missing).toEqual([]); // never lost, not even until the next cron
    await runCron(hour.nextCron);
    expect(await exactness(hour.partition, [...accepted, late.id])).toEqual({ duplicated: [], missing: [], total: 4 });
  });

  it("a redrive of an old hour racing its compaction", async () => {
    const hour = hourOf("2024-07-06");
    const accepted = await seedHour("2024-07-06");
    const parked = [at("2024-07-06", 50), accepted.messages[0]!];
    await consumeBatch("milk-ingest-dlq", parked); // a new event and a copy of an accepted one
    const queue = await startJobs(hour.partition);
    await deliverAll(queue, "plan");
    const run = testEnv();
    const response = await worker.fetch(new Request("https://edge.test/admin/redrive", { method: "POST", headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" }, body: JSON.stringify({ queue: "ingest" }) }), run, createExecutionContext());
    expect(response.status).toBe(200);
    await consumeBatch("milk-ingest", run.INGEST_QUEUE.sent);
    await deliverAll(queue, "sort");
    await deliverAll(queue, "merge");
    await runCron(hour.nextCron);
    expect(await exactness(hour.partition, [...accepted, parked[0]!.id])).toEqual({ duplicated: [], missing: [], total: 4 });
  });
});
