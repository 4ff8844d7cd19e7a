import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ObjectStoreCatalog } from "../../src/lake/table/catalog/object-store-catalog";
import { commitPending, type CommitDeps } from "../../src/lake/table/commit/commit-change";
import type { PendingChange } from "../../src/lake/table/commit/pending-change";
import { tableConfig } from "../../src/lake/table/commit/table-config";
import { findSnapshot, listLiveDataFiles } from "../../src/lake/table/format";
import { readManifestList } from "../../src/lake/table/format/manifests";

/**
 * The committer's path (commitPending) on the real R2 binding: one attempt reads each manifest
 * at most once, and only those whose hour range may hold an hour the batch touches, whatever the
 * table's age. Reads are counted through a wrapper of the binding.
 */
const reads: string[] = [];
const counted = new Proxy(env.LAKE_BUCKET, {
  get(target, prop) {
    if (prop === "get") {
      return (key: string, options?: R2GetOptions) => {
        if (key.endsWith(".avro") && !key.split("/").at(-1)!.startsWith("snap-")) reads.push(key);
        return target.get(key, options);
      };
    }
    const value = Reflect.get(target, prop);
    return typeof value === "function" ? value.bind(target) : value;
  },
}) as R2Bucket;

const config = { ...tableConfig(env), name: "reads" };
const deps: CommitDeps = { bucket: counted, catalog: new ObjectStoreCatalog(counted, config.bucketName, config), config };
let batches = 0;
const fileIn = (day: string, hour: string, name: string) => ({ key: `locations/dt=${day}/hour=${hour}/${name}.parquet`, partition: `dt=${day}/hour=${hour}`, recordCount: 5, fileSizeBytes: 500 });
const pending = (add: PendingChange["add"], removeKeys: string[] = []): PendingChange => {
  const overwrites = removeKeys.length ? [{ jobId: "job", partition: add[0]!.partition, add, removeKeys }] : [];
  return { commitId: `reads-${++batches}`, add: removeKeys.length ? [] : add, overwrites, missing: [] };
};
const liveKeys = async () => (await listLiveDataFiles(env.LAKE_BUCKET, (await deps.catalog.loadTable())!.metadata)).map((f) => f.key).sort();

describe("a commit on a table of many months reads only what it touches", () => {
  it("appends, redeliveries and overwrites read each overlapping manifest once and no other", async () => {
    const days = ["2023-01-10", "2023-02-10", "2023-03-10", "2023-04-10", "2023-05-10", "2023-06-10"];
    const added = days.flatMap((day) => ["01", "02"].map((hour) => fileIn(day, hour, "a")));
    for (const file of added) await commitPending(deps, pending([file]), Date.now());
    const table = (await deps.catalog.loadTable())!;
    const manifests = await readManifestList(env.LAKE_BUCKET, findSnapshot(table.metadata)!["manifest-list"]);
    expect(manifests.length).toBeGreaterThanOrEqual(days.length); // one per month at least: a table of many manifests

    // An append to an hour of June: only June's manifest may hold it.
    reads.length = 0;
    const june = fileIn("2023-06-10", "02", "b");
    expect((await commitPending(deps, pending([june]), Date.now())).state).toBe("committed");
    expect(reads).toHaveLength(1);

    // A redelivered registration of a March file (another batch, another commit id): found live, nothing registered.
    reads.length = 0;
    expect((await commitPending(deps, pending([fileIn("2023-03-10", "01", "a")]), Date.now())).state).toBe("nothing");
    expect(reads).toHaveLength(1);

    // A compaction of a February hour: reads February's manifest once, rewrites it.
    reads.length = 0;
    const rebuilt = fileIn("2023-02-10", "01", "rebuild-job-00000");
    expect((await commitPending(deps, pending([rebuilt], [fileIn("2023-02-10", "01", "a").key]), Date.now())).state).toBe("committed");
    expect(reads).toHaveLength(1);
    expect(new Set(reads).size).toBe(reads.length);

    const expected = [...added.map((f) => f.key).filter((k) => k !== fileIn("2023-02-10", "01", "a").key), june.key, rebuilt.key].sort();
    expect(await liveKeys()).toEqual(expected);
  });
});
