import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { compactionQueue, drain } from "../fixtures/compaction";
import { tableOutbox } from "../fixtures/table-outbox";
import { listKeys, readParquetObject } from "../fixtures/lake";
import { limitClock } from "../fixtures/limits/r2-write-rate";
import { makeMessage, queued } from "../fixtures/messages";
import { testEnv } from "../fixtures/queues";
import { makeEvent } from "../fixtures/webhook";

const ADMIN = { authorization: "Bearer test-admin-token", "content-type": "application/json" };

async function callAdmin(path: string, body: unknown, headers: Record<string, string> = ADMIN, overrides: Partial<Env> = {}) {
  const run = testEnv(overrides);
  const response = await worker.fetch(new Request(`https://edge.test/admin/${path}`, { method: "POST", headers, body: JSON.stringify(body) }), run, createExecutionContext());
  return { status: response.status, json: await response.json<Record<string, any>>(), run };
}

async function getStatus(jobId: string) {
  const response = await worker.fetch(new Request(`https://edge.test/admin/rebuild/${jobId}`, { headers: ADMIN }), testEnv(), createExecutionContext());
  return { status: response.status, json: await response.json<Record<string, any>>() };
}

async function consume(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(queue, bodies.map((b) => queued(b)));
  const ctx = createExecutionContext();
  // Table registrations wait in the outbox: a real committer would outlive the test file.
  await worker.queue(batch, { ...env, TABLE_QUEUE: tableOutbox as unknown as Queue }, ctx);
  return getQueueResult(batch, ctx);
}

async function lakeRows(prefix: string) {
  const rows: Record<string, unknown>[] = [];
  for (const key of await listKeys(env.LAKE_BUCKET, prefix)) rows.push(...(await readParquetObject(env.LAKE_BUCKET, key)).rows);
  return rows;
}

/** One row per id, the first processed copy, as the milk_events views keep. */
function dedupe(rows: Record<string, unknown>[]) {
  const byId = new Map<string, Record<string, unknown>>();
  const sorted = [...rows].sort((a, b) => Number(a.process_timestamp as Date) - Number(b.process_timestamp as Date));
  for (const row of sorted) if (!byId.has(row.id as string)) byId.set(row.id as string, row);
  return [...byId.values()].sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
}

describe("admin authentication", () => {
  it.each([
    ["no Authorization header", { "content-type": "application/json" }],
    ["a wrong token", { ...ADMIN, authorization: "Bearer nope" }],
    ["a token prefix", { ...ADMIN, authorization: "Bearer test-admin" }],
    ["a non-bearer scheme", { ...ADMIN, authorization: "Basic dGVzdC1hZG1pbi10b2tlbg==" }],
  ])("refuses %s with 401", async (_, headers) => {
    const { status, json } = await callAdmin("redrive", { queue: "ingest" }, headers);
    expect(status).toBe(401);
    expect(json.error.code).toBe("unauthorized");
  });

  it("is disabled (403) when no ADMIN_TOKEN is set", async () => {
    const { status, json } = await callAdmin("redrive", { queue: "ingest" }, ADMIN, { ADMIN_TOKEN: "" } as Partial<Env>);
    expect(status).toBe(403);
    expect(json.error.code).toBe("admin_disabled");
  });

  it("validates admin bodies", async () => {
    expect((await callAdmin("redrive", { queue: "elsewhere" })).status).toBe(400);
    expect((await callAdmin("rebuild", { from: "2024-03-05T00:00:00Z", to: "2024-03-09T00:00:00Z" })).status).toBe(400);
  });
});

describe("dead letters and redrive", () => {
  it("parks dead-lettered messages in R2 and redrives them to their queue", async () => {
    const bodies = [makeMessage(), makeMessage()];
    const parked = await consume("milk-ingest-dlq", bodies);
    expect(parked.explicitAcks).toHaveLength(2);
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/")).toHaveLength(2);

    limitClock.advance(60_000); // redriven after the cause is fixed, not within R2's second per key
    const { status, json, run } = await callAdmin("redrive", { queue: "ingest" });
    expect(status).toBe(200);
    expect(json).toEqual({ queue: "ingest", redriven: 2, claimed: 0, takenOver: 0, more: false });
    expect(run.INGEST_QUEUE.sent.map((m) => m.id).sort()).toEqual(bodies.map((b) => b.id).sort());
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/")).toHaveLength(0);
  });

  it("parks forward dead letters under their own prefix", async () => {
    await consume("milk-forward-dlq", [makeMessage({ event: makeEvent({ type: "user.entered_geofence" }) })]);
    limitClock.advance(60_000);
    const { json, run } = await callAdmin("redrive", { queue: "forward" });
    expect(json.redriven).toBe(1);
    expect(run.FORWARD_QUEUE.sent).toHaveLength(1);
  });
});

describe("rebuild from raw", () => {
  it("enqueues the cron's compaction job per hour; the status reports rows and files; reruns change nothing", async () => {
    const at = (minute: number, fields = {}) => makeMessage({ event: makeEvent({ createdAt: `2024-05-01T07:${String(minute).padStart(2, "0")}:00.000Z`, user: { _id: `d-${minute % 3}` }, ...fields }) });
    const first = [at(1), at(2), at(3)];
    await consume("milk-ingest", first);
    await consume("milk-ingest", [at(4), first[1]!, at(5, { trip: { _id: "t1", metadata: { route_session_id: "rs" } } })]); // one redelivered duplicate
    const prefix = "locations/dt=2024-05-01/hour=07/";
    const original = dedupe(await lakeRows(prefix));
    expect(original).toHaveLength(5);

    const queue = compactionQueue();
    const { status, json } = await callAdmin("rebuild", { from: "2024-05-01T07:00:00Z", to: "2024-05-01T08:00:00Z" }, ADMIN, { COMPACT_QUEUE: queue as unknown as Queue });
    expect(status).toBe(202);
    expect(json.jobs).toEqual([{ jobId: expect.stringMatching(/^\d{8}T\d{9}Z-/), partition: "dt=2024-05-01/hour=07" }]);
    expect((await getStatus(json.jobs[0].jobId)).json).toEqual({ jobId: json.jobs[0].jobId, state: "queued" });
    await drain(queue);
    const done = await getStatus(json.jobs[0].jobId);
    expect(done.json).toMatchObject({ state: "done", partition: "dt=2024-05-01/hour=07", rawObjects: 2, rows: 5, replaced: 2, rejected: 0 });
    expect(await listKeys(env.LAKE_BUCKET, prefix)).toEqual(done.json.files);
    expect(await lakeRows(prefix)).toHaveLength(5); // the rebuilt object holds no duplicates
    expect(dedupe(await lakeRows(prefix))).toEqual(original);

    const again = await callAdmin("rebuild", { from: "2024-05-01T07:30:00Z", to: "2024-05-01T07:31:00Z" }, ADMIN, { COMPACT_QUEUE: queue as unknown as Queue });
    await drain(queue);
    expect((await getStatus(again.json.jobs[0].jobId)).json).toMatchObject({ rows: 5, replaced: 1 });
    expect(await listKeys(env.LAKE_BUCKET, prefix)).toHaveLength(1);
    expect(dedupe(await lakeRows(prefix))).toEqual(original);
  });

  it("answers 404 not_found for a well-formed job id that was never enqueued", async () => {
    const { status, json } = await getStatus("20240501T070000000Z-00000000-0000-4000-8000-000000000000");
    expect(status).toBe(404);
    expect(json).toEqual({ error: { code: "not_found", message: expect.stringContaining("no rebuild job") } });
  });

  it("still reports a finished job once its clean-up deleted the queued record", async () => {
    const queue = compactionQueue();
    const { json } = await callAdmin("rebuild", { from: "2024-05-02T07:00:00Z", to: "2024-05-02T08:00:00Z" }, ADMIN, { COMPACT_QUEUE: queue as unknown as Queue });
    const { jobId } = json.jobs[0];
    expect(await listKeys(env.LAKE_BUCKET, `compaction/jobs/${jobId}/`)).toEqual([`compaction/jobs/${jobId}/queued.json`]);
    await drain(queue);
    expect(await listKeys(env.LAKE_BUCKET, `compaction/jobs/${jobId}/`)).toEqual([`compaction/jobs/${jobId}/status.json`]);
    expect((await getStatus(jobId)).json).toMatchObject({ jobId, state: "done" });
  });

  it("answers 400 validation_failed for a malformed job id", async () => {
    const { status, json } = await getStatus("..%2Fplan");
    expect(status).toBe(400);
    expect(json.error.code).toBe("validation_failed");
  });
});
