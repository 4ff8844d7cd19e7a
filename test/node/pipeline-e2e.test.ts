import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { readAllRecords } from "../../scripts/lib/kinesis-local.mjs";
import { openLake } from "../../scripts/lib/lake-duckdb.mjs";
import { pullLake } from "../../scripts/lib/lake-pull.mjs";
import { startPipeline } from "../../scripts/lib/local-pipeline.mjs";
import { radarSignature, runSimulation } from "../../scripts/lib/simulator.mjs";
import { startFaultProxy, type FaultProxy } from "./kinesis-fault-proxy";
import { queryRows } from "./duckdb";
import { readTableWithIcebird } from "./icebird-local";
import { until as waitFor } from "./until";

const until = <T>(what: string, probe: () => Promise<T | false>, timeoutMs?: number) => waitFor(what, probe, timeoutMs, () => logs.slice(-30).join("\n"));

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;
type Record = { partitionKey: string; data: { id: string; event_type: string; user_id: string } };

let pipeline: Pipeline;
let proxy: FaultProxy;
let state: string;
const logs: string[] = [];

async function kinesisRecords(): Promise<Record[]> {
  return (await readAllRecords(pipeline.kinesis.call, pipeline.streamName)) as Record[];
}

async function post(body: unknown): Promise<Response> {
  const signingId = crypto.randomUUID();
  return fetch(`${pipeline.url}/webhooks/radar`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Radar-Signing-Id": signingId, "X-Radar-Signature": radarSignature(pipeline.token, signingId) },
    body: JSON.stringify(body),
  });
}

function event(id: string, type: string, driver: string) {
  return { event: { _id: id, type, createdAt: new Date().toISOString(), location: { type: "Point", coordinates: [-119.43, 36.22] }, user: { _id: driver }, geofence: { tag: "farm", externalId: "farm-1" } } };
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "milk-e2e-"));
  pipeline = await startPipeline({
    port: await freePort(),
    kinesisPort: 0,
    persistTo: state,
    onLog: (line) => logs.push(line),
    workerKinesisEndpoint: async (kinesalite) => (proxy = await startFaultProxy(kinesalite)).endpoint,
  });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  await proxy?.close();
  rmSync(state, { recursive: true, force: true });
});

describe("Kinesis forwarding through wrangler dev and kinesalite", () => {
  it("delivers each geofence webhook exactly once, keyed by driver, and nothing else", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const geofenceIds: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = `${run}-geo-${i}`;
      geofenceIds.push(id);
      expect((await post(event(id, i % 2 ? "user.exited_geofence" : "user.entered_geofence", `driver-${i % 4}`))).status).toBe(202);
      expect((await post(event(`${run}-trip-${i}`, "user.updated_trip", `driver-${i % 4}`))).status).toBe(202);
    }
    const mine = await until("30 geofence records", async () => {
      const records = (await kinesisRecords()).filter((r) => r.data.id.startsWith(run));
      return records.length >= 30 ? records : false;
    });
    await new Promise((r) => setTimeout(r, 2000)); // let any stray duplicate surface before counting
    const settled = (await kinesisRecords()).filter((r) => r.data.id.startsWith(run));
    expect(settled.map((r) => r.data.id).sort()).toEqual([...geofenceIds].sort());
    expect(mine.every((r) => r.partitionKey === r.data.user_id && r.data.event_type.includes("geofence"))).toBe(true);
  });

  it("still delivers every geofence event when the proxy throttles 30% of records", async () => {
    proxy.recordFailureRate = 0.3;
    proxy.callFailureRate = 0.1;
    const run = crypto.randomUUID().slice(0, 8);
    const ids = Array.from({ length: 40 }, (_, i) => `${run}-geo-${i}`);
    await Promise.all(ids.map(async (id, i) => expect((await post(event(id, "user.entered_geofence", `driver-${i % 5}`))).status).toBe(202)));
    const arrived = await until("every throttled geofence event", async () => {
      const got = new Set((await kinesisRecords()).map((r) => r.data.id).filter((id) => id.startsWith(run)));
      return got.size === ids.length ? got : false;
    }, 120_000);
    proxy.recordFailureRate = 0;
    proxy.callFailureRate = 0;
    expect([...arrived].sort()).toEqual([...ids].sort());
    expect(proxy.injectedRecordFailures + proxy.injectedCallFailures).toBeGreaterThan(0);
  });
});

describe("fleet simulation end to end", () => {
  it("lands every accepted event in the lake once, in its hour, and forwards every geofence event", async () => {
    // Sustained load: about 3,000 signed events at a steady ~100 events/s (60 simulated minutes at 120x).
    const summary = await runSimulation({ url: pipeline.url, token: pipeline.token, drivers: 30, minutes: 60, speedup: 120, seed: 7, concurrency: 8, duplicateRate: 0.03, replayRate: 0.03 });
    console.log(JSON.stringify({ msg: "sustained load", sent: summary.sent, accepted: summary.accepted, distinct: summary.acceptedIds.size, statuses: summary.statuses, p50_ms: Math.round(summary.p50Ms), p99_ms: Math.round(summary.p99Ms), seconds: Math.round(summary.seconds) }));
    expect(summary.statuses).toEqual({ 202: summary.sent }); // zero 5xx, zero refusals
    expect(summary.failed).toBe(0);
    expect(summary.refused).toBe(0);
    expect(summary.sent).toBeGreaterThan(2000);
    expect(summary.sent).toBeGreaterThan(summary.acceptedIds.size); // duplicates were delivered

    const lakeDir = mkdtempSync(join(tmpdir(), "milk-lake-"));
    const expected = [...summary.acceptedIds];
    const distinct = await until("the lake to hold every accepted id", async () => {
      await pullLake({ out: lakeDir, persist: join(state, "v3") });
      const { db, close } = await openLake(lakeDir);
      try {
        const rows = await queryRows(db, "SELECT id FROM milk_events");
        const ids = new Set(rows.map((r) => r.id as string));
        return expected.every((id) => ids.has(id)) ? ids : false;
      } finally {
        close();
      }
    }, 120_000);
    const { db, source, close } = await openLake(lakeDir);
    try {
      // The lake query reads the Iceberg table's current snapshot, committed by the table queue's consumer.
      expect(source).toMatch(/^table snapshot \d+/);
      const simulated = await queryRows(db, `SELECT count(*) AS n, count(DISTINCT id) AS d FROM milk_events WHERE id IN (SELECT unnest([${expected.map((id) => `'${id}'`).join(",")}]))`);
      expect(simulated[0]).toEqual({ n: expected.length, d: expected.length });
      const misplaced = await queryRows(db, "SELECT count(*) AS n FROM milk_events_raw WHERE dt <> CAST(created_at AS DATE) OR hour <> hour(created_at)");
      expect(misplaced[0]!.n).toBe(0);
      // icebird, reading the same table on its own, returns the same rows as DuckDB over the snapshot's files.
      const row = (r: { [column: string]: unknown }) => `${String(r.id)}|${r.created_at instanceof Date ? r.created_at.getTime() : Number(r.created_at)}|${String(r.user_id)}`;
      const lakeRows = (await queryRows(db, "SELECT id, epoch_ms(created_at) AS created_at, user_id FROM milk_events_raw")).map(row).sort();
      const icebirdRows = (await readTableWithIcebird(lakeDir)).map(row).sort();
      expect(icebirdRows.length).toBeGreaterThan(2000);
      expect(icebirdRows).toEqual(lakeRows);
    } finally {
      close();
      rmSync(lakeDir, { recursive: true, force: true });
    }
    // Apart from the forwarding tests' own events, the lake holds exactly the accepted ids.
    const simulatedInLake = [...distinct].filter((id) => !/^[0-9a-f]{8}-(geo|trip)-\d+$/.test(id));
    expect(simulatedInLake.sort()).toEqual([...expected].sort());

    const geofence = [...summary.geofenceIds].sort();
    const forwarded = await until("every simulated geofence event in Kinesis", async () => {
      const got = new Set((await kinesisRecords()).map((r) => r.data.id).filter((id) => summary.geofenceIds.has(id)));
      return got.size === geofence.length ? got : false;
    });
    expect([...forwarded].sort()).toEqual(geofence);
  });
});
