import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RestCatalog } from "../../src/lake/table/catalog/rest-catalog";
import { commitPending } from "../../src/lake/table/commit/commit-change";
import { gatherChange } from "../../src/lake/table/commit/pending-change";
import { tableConfig } from "../../src/lake/table/commit/table-config";
import { listLiveDataFiles } from "../../src/lake/table/format";
import { consumeBatch } from "../fixtures/consume";
import { listKeys } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { restCatalogDouble, type Fault } from "../fixtures/rest-catalog-double";
import { commitTable, deliverTable, liveKeys, localCatalog } from "../fixtures/table";
import { tableOutbox } from "../fixtures/table-outbox";
import { makeEvent } from "../fixtures/webhook";

const at = (iso: string) => makeMessage({ event: makeEvent({ createdAt: iso }) });

/** Writes real lake batches for `day` (hours 09 and 10) and takes their table registrations out of the outbox. */
async function writeDay(day: string) {
  tableOutbox.pending.splice(0); // registrations an earlier test left behind
  await consumeBatch("milk-ingest", [at(`${day}T09:01:00.000Z`), at(`${day}T10:02:00.000Z`)]);
  await consumeBatch("milk-ingest", [at(`${day}T09:03:00.000Z`)]);
  return { registrations: tableOutbox.pending.splice(0), files: await listKeys(env.LAKE_BUCKET, `locations/dt=${day}/`) };
}

const restTable = (double: ReturnType<typeof restCatalogDouble>) => new RestCatalog({ ...double.options, fetcher: double.fetcher });

async function restLiveKeys(double: ReturnType<typeof restCatalogDouble>) {
  return double.state.metadata ? (await listLiveDataFiles(env.LAKE_BUCKET, double.state.metadata)).map((f) => f.key).sort() : [];
}

afterEach(() => vi.restoreAllMocks());

describe("table commits (object-store catalog in the lake bucket)", () => {
  it("registers every Parquet file the lake writer wrote, once, in one snapshot per batch; a redelivered batch changes nothing", async () => {
    const { registrations, files } = await writeDay("2025-01-01");
    expect(registrations).toHaveLength(3); // one per hour group written
    const before = (await localCatalog().loadTable())?.metadata.snapshots?.length ?? 0;
    await tableOutbox.pending.push(...registrations);
    await commitTable();
    const table = (await localCatalog().loadTable())!;
    expect(table.metadata.snapshots!.length).toBe(before + 1);
    expect((await liveKeys()).filter((k) => k.includes("dt=2025-01-01"))).toEqual(files);
    const redelivered = await deliverTable(registrations, localCatalog(), { attempts: 2 });
    expect(redelivered.acked).toBe(true);
    expect((await localCatalog().loadTable())!.metadata.snapshots!.length).toBe(before + 1);
    expect((await liveKeys()).filter((k) => k.includes("dt=2025-01-01"))).toEqual(files);
  });

  it("two committers racing from the same snapshot: exactly one version wins each round, both batches land once", async () => {
    const { registrations, files } = await writeDay("2025-01-02");
    const deps = { bucket: env.LAKE_BUCKET, catalog: localCatalog(), config: tableConfig(env) };
    const changes = await Promise.all([gatherChange(env.LAKE_BUCKET, registrations.slice(0, 2), ["a"]), gatherChange(env.LAKE_BUCKET, registrations.slice(2), ["b"])]);
    const outcomes = await Promise.all(changes.map((c) => commitPending(deps, c, Date.now())));
    expect(outcomes.map((o) => o.state)).toEqual(["committed", "committed"]);
    expect(outcomes.map((o) => o.attempts).sort()).toEqual([1, 2]); // the loser reloaded and rebuilt
    expect((await liveKeys()).filter((k) => k.includes("dt=2025-01-02"))).toEqual(files);
  });
});

describe("table commits through the REST catalog (test double enforcing requirements)", () => {
  it.each<Fault>(["conflict", "concurrent-update", "server-error", "lost-answer", "timeout"])("%s on the first commit: retried at once, acked, each file registered exactly once", async (fault) => {
    const { registrations, files } = await writeDay(`2025-02-0${["conflict", "concurrent-update", "server-error", "lost-answer", "timeout"].indexOf(fault) + 1}`);
    const double = restCatalogDouble();
    double.state.faults.push(fault);
    const logs = [vi.spyOn(console, "log"), vi.spyOn(console, "error"), vi.spyOn(console, "warn")];
    const result = await deliverTable(registrations, restTable(double));
    expect(result).toMatchObject({ acked: true, retried: 0 });
    expect(double.state.commits).toBe(1);
    expect(await restLiveKeys(double)).toEqual(files);
    // The bearer token travels only in the Authorization header, never in a log line.
    const logged = logs.flatMap((spy) => spy.mock.calls.flat()).join("\n");
    expect(logged).not.toContain(double.options.token);
  });

  it("429: the batch is retried after Retry-After, then committed once", async () => {
    const { registrations, files } = await writeDay("2025-02-10");
    const double = restCatalogDouble();
    double.state.faults.push("throttle");
    const first = await deliverTable(registrations, restTable(double));
    expect(first.acked).toBe(false);
    expect(Math.min(...first.delays.map(Number))).toBeGreaterThanOrEqual(60);
    expect(double.state.commits).toBe(0);
    expect(await deliverTable(registrations, restTable(double), { attempts: 2 })).toMatchObject({ acked: true });
    expect(double.state.commits).toBe(1);
    expect(await restLiveKeys(double)).toEqual(files);
  });

  it("Basin Catalog's 20 updateTable calls a minute: the 21st batch within a minute waits out Retry-After, then lands once", async () => {
    const double = restCatalogDouble();
    const file = (i: number) => ({ key: `locations/dt=2025-02-14/hour=09/limit-${i}.parquet`, partition: "dt=2025-02-14/hour=09", recordCount: 1, fileSizeBytes: 100 });
    const batch = (i: number) => [{ v: 1, kind: "append", files: [file(i)], writtenAtMs: Date.now() }];
    for (let i = 0; i < 20; i++) expect((await deliverTable(batch(i), restTable(double))).acked).toBe(true);
    const throttled = await deliverTable(batch(20), restTable(double));
    expect(throttled.acked).toBe(false);
    expect(Math.min(...throttled.delays.map(Number))).toBeGreaterThanOrEqual(60);
    expect(double.state.commits).toBe(20);
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 61_000); // the redelivery comes after Retry-After
    expect(await deliverTable(batch(20), restTable(double), { attempts: 2 })).toMatchObject({ acked: true });
    expect(double.state.commits).toBe(21);
    expect(await restLiveKeys(double)).toEqual(Array.from({ length: 21 }, (_, i) => file(i).key).sort());
  });

  it("an answer lost on the last try: the messages are retried, and the redelivery finds its files live instead of adding them again", async () => {
    const { registrations, files } = await writeDay("2025-02-11");
    const double = restCatalogDouble();
    double.state.faults.push("server-error", "lost-answer");
    expect((await deliverTable(registrations, restTable(double))).acked).toBe(false);
    expect(double.state.commits).toBe(1); // it did land
    expect(await deliverTable(registrations, restTable(double), { attempts: 2 })).toMatchObject({ acked: true });
    expect(double.state.commits).toBe(1);
    expect(await restLiveKeys(double)).toEqual(files);
  });

  it("a catalog outage delays commits with growing delays and never blocks the lake writer", async () => {
    const { registrations } = await writeDay("2025-02-12");
    const double = restCatalogDouble();
    double.state.faults.push(...Array<Fault>(20).fill("server-error"));
    const early = await deliverTable(registrations, restTable(double), { attempts: 1 });
    const late = await deliverTable(registrations, restTable(double), { attempts: 9 });
    expect(early.acked || late.acked).toBe(false);
    expect(Math.max(...early.delays.map(Number))).toBeLessThanOrEqual(15);
    expect(Math.min(...late.delays.map(Number))).toBeGreaterThanOrEqual(1800);
    // Meanwhile the lake writer acks: it only needs the table queue, not the catalog.
    const { result, messages } = await consumeBatch("milk-ingest", [at("2025-02-12T11:00:00.000Z")]);
    expect(result.explicitAcks).toEqual(messages.map((m) => m.id));
  });

  it("records each batch as a table_commit point whose lag is the backlog from file write to commit", async () => {
    const { registrations } = await writeDay("2025-02-13");
    const double = restCatalogDouble();
    const points: AnalyticsEngineDataPoint[] = [];
    const METRICS = { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p) } as AnalyticsEngineDataset;
    const aged = registrations.map((r) => ({ ...r, writtenAtMs: Date.now() - 600_000 })); // waited 10 minutes
    double.state.faults.push("throttle");
    await deliverTable(aged, restTable(double), { overrides: { METRICS } });
    await deliverTable(aged, restTable(double), { overrides: { METRICS }, attempts: 2 });
    expect(points.map((p) => p.blobs?.slice(0, 2))).toEqual([["table_commit", "failed"], ["table_commit", "committed"]]);
    const [added, , messages, maxLagS] = points[1]!.doubles!;
    expect([added, messages]).toEqual([3, 3]);
    expect(maxLagS).toBeGreaterThanOrEqual(600);
  });
});
