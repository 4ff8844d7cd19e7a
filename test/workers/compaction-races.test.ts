import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { exactness, runCron } from "../fixtures/compaction";
import { at, deliverAll, hourOf, seedHour, startJobs, until } from "../fixtures/compaction-races";
import { consumeBatch } from "../fixtures/consume";
import { listKeys } from "../fixtures/lake";
import { testEnv } from "../fixtures/queues";

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
