import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { HourStatus } from "../../src/lake/table/commit/hour-status";
import { hourStatusKey, parseObjectUri } from "../../src/lake/keys";
import { readManifestList } from "../../src/lake/table/format/manifests";
import { exactness } from "../fixtures/compaction";
import { at, deliverAll, hourOf, seedHour, startJobs } from "../fixtures/compaction-races";
import { consumeBatch } from "../fixtures/consume";
import { listKeys, readParquetObject } from "../fixtures/lake";
import { commitTable, liveKeys, localCatalog } from "../fixtures/table";
import { heldTableQueue, tableOutbox } from "../fixtures/table-outbox";

/** Rows of the table's current snapshot in one hour, by id (counts, so a file live twice shows). */
async function tableIdCounts(prefix: string) {
  const counts = new Map<string, number>();
  for (const key of (await liveKeys()).filter((k) => k.startsWith(prefix))) {
    for (const row of (await readParquetObject(env.LAKE_BUCKET, key)).rows) counts.set(row.id as string, (counts.get(row.id as string) ?? 0) + 1);
  }
  return counts;
}

async function compactHour(partition: string, overrides: Partial<Env> = {}) {
  const queue = await startJobs(partition);
  for (const step of ["plan", "sort", "merge"] as const) await deliverAll(queue, step, overrides); // the merge commits the table
}

describe("compaction as an overwrite commit", () => {
  it("an append of a file the overwrite already replaced arrives after it (queues reorder): not added, rows once, the object deleted", async () => {
    const hour = hourOf("2025-03-01");
    const accepted = await seedHour("2025-03-01");
    const lateAppends = tableOutbox.pending.splice(0); // the batch files' registrations are delayed
    const batchFiles = await listKeys(env.LAKE_BUCKET, hour.prefix);
    await compactHour(hour.partition);
    const live = (await liveKeys()).filter((k) => k.startsWith(hour.prefix));
    expect(live).toHaveLength(1);
    expect(live[0]).toContain("rebuild-");
    tableOutbox.pending.push(...lateAppends);
    await commitTable();
    expect((await liveKeys()).filter((k) => k.startsWith(hour.prefix))).toEqual(live);
    const counts = await tableIdCounts(hour.prefix);
    expect([...counts.keys()].sort()).toEqual([...accepted].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Retained snapshots: 1 in tests, so the replaced objects are gone once the overwrite is committed.
    for (const key of batchFiles) expect(await env.LAKE_BUCKET.head(key)).toBeNull();
    expect(await exactness(hour.partition, accepted)).toEqual({ duplicated: [], missing: [], total: 3 });
  });

  it("appends committed before the overwrite: the overwrite removes them atomically, and an append racing the merge stays", async () => {
    const hour = hourOf("2025-03-02");
    const accepted = await seedHour("2025-03-02");
    await commitTable();
    const queue = await startJobs(hour.partition);
    await deliverAll(queue, "plan");
    const late = at("2025-03-02", 44); // written after the plan listed the hour: not in this compaction
    await consumeBatch("milk-ingest", [late]);
    await deliverAll(queue, "sort");
    await deliverAll(queue, "merge"); // commits the late append and the overwrite
    const counts = await tableIdCounts(hour.prefix);
    expect([...counts.keys()].sort()).toEqual([...accepted, late.id].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const snapshot = (await localCatalog().loadTable())!.metadata;
    const current = snapshot.snapshots!.find((s) => s["snapshot-id"] === snapshot["current-snapshot-id"])!;
    expect(current.summary.operation).toBe("overwrite");
  });

  it("two rebuilds back to back: the second replaces the first's files before the table committed them, and no snapshot lacks the hour", async () => {
    const hour = hourOf("2025-03-05");
    const accepted = await seedHour("2025-03-05");
    await commitTable();
    // The overwrites wait here: the committer commits every 15 s, and job 2 lists job 1's rebuild-… files.
    const held = heldTableQueue();
    for (let job = 0; job < 2; job++) await compactHour(hour.partition, { TABLE_QUEUE: held as unknown as Queue });
    const overwrites = held.pending.splice(0);
    expect(overwrites.map((m) => m.kind)).toEqual(["overwrite", "overwrite"]);
    for (const overwrite of overwrites) {
      held.pending.push(overwrite);
      await commitTable(held); // one batch each, as when a commit interval ends between them
      expect([...(await tableIdCounts(hour.prefix)).keys()].sort()).toEqual([...accepted].sort()); // the batch files' duplicate may show
    }
    expect([...(await tableIdCounts(hour.prefix)).values()].every((n) => n === 1)).toBe(true);
    // Job 2's files alone, live and stored: job 1's were never live, and job 2's commit deleted them with the batch files.
    const last = overwrites[1]!;
    const mine = (await liveKeys()).filter((k) => k.startsWith(hour.prefix));
    expect(mine.every((k) => last.kind === "overwrite" && k.includes(`rebuild-${last.jobId}-`))).toBe(true);
    expect(await listKeys(env.LAKE_BUCKET, hour.prefix)).toEqual(mine);
  });

  it("hour status: compacted and final after the grace period; late data reopens it visibly", async () => {
    const hour = hourOf("2025-03-03");
    await seedHour("2025-03-03");
    await commitTable();
    for (const key of await listKeys(env.LAKE_BUCKET, "compaction/dirty/dt=2025-03-03_hour=09/")) await env.LAKE_BUCKET.delete(key);
    await compactHour(hour.partition);
    const status = await (await env.LAKE_BUCKET.get(hourStatusKey(hour.partition)))!.json<HourStatus>();
    expect(status).toMatchObject({ partition: hour.partition, state: "compacted", late_files: 0 });
    expect(Date.parse(status.final_after)).toBeLessThanOrEqual(Date.now());
    vi.useRealTimers();
    await consumeBatch("milk-ingest", [at("2025-03-03", 59)]);
    await commitTable();
    const reopened = await (await env.LAKE_BUCKET.get(hourStatusKey(hour.partition)))!.json<HourStatus>();
    expect(reopened).toMatchObject({ state: "reopened", late_files: 1, compacted_job: status.compacted_job });
    await compactHour(hour.partition);
    expect(await (await env.LAKE_BUCKET.get(hourStatusKey(hour.partition)))!.json<HourStatus>()).toMatchObject({ state: "compacted", late_files: 0 });
  });

  it("expiring snapshots deletes their manifest lists and the manifests no retained snapshot lists (retain 1 in tests)", async () => {
    const hour = hourOf("2025-03-04");
    await seedHour("2025-03-04");
    await commitTable();
    await compactHour(hour.partition);
    const { metadata } = (await localCatalog().loadTable())!;
    expect(metadata.snapshots).toHaveLength(1);
    const list = metadata.snapshots![0]!["manifest-list"];
    const referenced = [list, ...(await readManifestList(env.LAKE_BUCKET, list)).map((m) => m.manifest_path)].map((uri) => parseObjectUri(uri).key);
    const stored = (await listKeys(env.LAKE_BUCKET, "tables/milk/locations/metadata/")).filter((k) => k.endsWith(".avro"));
    expect(stored.sort()).toEqual(referenced.sort());
  });
});
