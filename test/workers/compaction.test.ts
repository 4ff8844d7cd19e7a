import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { consumeBatch } from "../fixtures/consume";
import { listKeys, readParquetObject } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";

async function runCron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "15 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function ids(prefix: string) {
  const all: string[] = [];
  for (const key of await listKeys(env.LAKE_BUCKET, prefix)) all.push(...(await readParquetObject(env.LAKE_BUCKET, key)).rows.map((r) => r.id as string));
  return all.sort();
}

describe("hourly compaction (cron)", () => {
  it("rolls the previous hour's batch files into one object with the same rows", async () => {
    const at = (m: number) => makeMessage({ event: makeEvent({ createdAt: `2024-06-01T09:${String(m).padStart(2, "0")}:00.000Z` }) });
    const first = [at(1), at(2)];
    await consumeBatch("milk-ingest", first);
    await consumeBatch("milk-ingest", [at(3), first[0]!]);
    await consumeBatch("milk-ingest", [at(4)]);
    const prefix = "locations/dt=2024-06-01/hour=09/";
    expect(await listKeys(env.LAKE_BUCKET, prefix)).toHaveLength(3);
    const before = [...new Set(await ids(prefix))];

    await runCron(Date.parse("2024-06-01T10:15:00.000Z"));
    const keys = await listKeys(env.LAKE_BUCKET, prefix);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\/rebuild-[0-9TZ]+-[0-9a-f-]{36}\.parquet$/);
    expect(await ids(prefix)).toEqual(before);
  });

  it("leaves an hour that is already one object alone", async () => {
    await consumeBatch("milk-ingest", [makeMessage({ event: makeEvent({ createdAt: "2024-06-02T09:30:00.000Z" }) })]);
    const prefix = "locations/dt=2024-06-02/hour=09/";
    const keys = await listKeys(env.LAKE_BUCKET, prefix);
    await runCron(Date.parse("2024-06-02T10:15:00.000Z"));
    expect(await listKeys(env.LAKE_BUCKET, prefix)).toEqual(keys);
  });
});

describe("rebuild during a concurrent lake write", () => {
  it("keeps a batch file whose raw twin it did not read, so no row is lost", async () => {
    await consumeBatch("milk-ingest", [makeMessage({ event: makeEvent({ createdAt: "2024-06-03T09:10:00.000Z" }) })]);
    const prefix = "locations/dt=2024-06-03/hour=09/";
    const [written] = await listKeys(env.LAKE_BUCKET, prefix);
    // A batch file whose raw archive has not landed yet (the writer puts both concurrently).
    const inFlight = `${prefix}20240603T091500000Z-00000000-0000-4000-8000-000000000000.parquet`;
    await env.LAKE_BUCKET.put(inFlight, (await (await env.LAKE_BUCKET.get(written!))!.arrayBuffer()));
    await runCron(Date.parse("2024-06-03T10:15:00.000Z"));
    const keys = await listKeys(env.LAKE_BUCKET, prefix);
    expect(keys).toHaveLength(2);
    expect(keys).toContain(inFlight);
    expect(keys.some((k) => k.includes("/rebuild-"))).toBe(true);
  });
});
