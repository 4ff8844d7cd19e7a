import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gzip } from "../../src/lake/bucket-io";
import worker from "../../src/worker";
import { compactionQueue, drain, exactness } from "../fixtures/compaction";
import { consumeBatch } from "../fixtures/consume";
import { listKeys } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { testEnv } from "../fixtures/queues";
import { makeEvent } from "../fixtures/webhook";

const ADMIN = { authorization: "Bearer test-admin-token", "content-type": "application/json" };

/** POST /admin/rebuild for one hour, runs the jobs it enqueued, and returns their status. */
async function rebuild(hourIso: string) {
  const queue = compactionQueue();
  const body = JSON.stringify({ from: `${hourIso}:00:00Z`, to: `${hourIso}:59:59Z` });
  const response = await worker.fetch(new Request("https://edge.test/admin/rebuild", { method: "POST", headers: ADMIN, body }), testEnv({ COMPACT_QUEUE: queue as unknown as Queue }), createExecutionContext());
  const { jobs } = await response.json<{ jobs: { jobId: string }[] }>();
  await drain(queue);
  const status = await worker.fetch(new Request(`https://edge.test/admin/rebuild/${jobs[0]!.jobId}`, { headers: ADMIN }), testEnv(), createExecutionContext());
  return status.json<Record<string, any>>();
}

/**
 * Two batch files for the hour, the second with a redelivered copy of the first's first event;
 * returns the accepted ids and the first batch's raw key.
 */
async function seed(hourIso: string) {
  const messages = [1, 2, 3, 4].map((m) => makeMessage({ event: makeEvent({ createdAt: `${hourIso}:0${m}:00.000Z`, user: { _id: `driver-${m % 2}` } }) }));
  await consumeBatch("milk-ingest", messages.slice(0, 2));
  await consumeBatch("milk-ingest", [...messages.slice(2), messages[0]!]);
  const partition = `dt=${hourIso.slice(0, 10)}/hour=${hourIso.slice(11, 13)}`;
  const [firstRaw] = await listKeys(env.LAKE_BUCKET, `raw/${partition}/`);
  return { ids: messages.map((m) => m.id), partition, firstRaw: firstRaw! };
}

/** Appends an envelope today's schema refuses (as after a schema change) to an archived raw object. */
async function addRejectedEnvelope(rawKey: string) {
  const object = (await env.LAKE_BUCKET.get(rawKey))!;
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  const bad = JSON.stringify({ ...makeMessage(), v: 0 });
  await env.LAKE_BUCKET.put(rawKey, await gzip(`${text}${bad}\n`), { customMetadata: object.customMetadata });
}

describe("rebuild never deletes what it could not reproduce", () => {
  it("counts and quarantines rejected envelopes once per raw object, and keeps that object's batch file", async () => {
    const { ids, partition, firstRaw } = await seed("2024-08-01T09");
    await addRejectedEnvelope(firstRaw);
    const keptBatch = firstRaw.replace("raw/", "locations/").replace(".ndjson.gz", ".parquet");
    for (let run = 0; run < 2; run++) {
      const status = await rebuild("2024-08-01T09");
      expect(status).toMatchObject({ state: "done", rejected: 1, rejectedRaw: [firstRaw], rows: 2 });
      expect(await listKeys(env.LAKE_BUCKET, `locations/${partition}/`)).toContain(keptBatch);
      expect(await exactness(partition, ids)).toEqual({ duplicated: [], missing: [], total: 4 });
    }
    const quarantined = await listKeys(env.LAKE_BUCKET, `quarantine/rebuild/${partition}/`);
    expect(quarantined).toHaveLength(1); // a rerun overwrites the copy instead of adding one
    const copy = await (await env.LAKE_BUCKET.get(quarantined[0]!))!.json<{ source: string; rejected: { reason: string }[] }>();
    expect(copy.source).toBe(firstRaw);
    expect(copy.rejected[0]!.reason).toMatch(/^v: /);
  });

  it("blocks, changing nothing, when rejected rows live only in an earlier compacted file", async () => {
    const { ids, partition, firstRaw } = await seed("2024-08-02T09");
    expect(await rebuild("2024-08-02T09")).toMatchObject({ state: "done", rows: 4 });
    const before = await listKeys(env.LAKE_BUCKET, `locations/${partition}/`);
    await addRejectedEnvelope(firstRaw);
    const status = await rebuild("2024-08-02T09");
    expect(status).toMatchObject({ state: "blocked", rejected: 1, files: [] });
    expect(await listKeys(env.LAKE_BUCKET, `locations/${partition}/`)).toEqual(before);
    expect(await exactness(partition, ids)).toEqual({ duplicated: [], missing: [], total: 4 });
  });
});
