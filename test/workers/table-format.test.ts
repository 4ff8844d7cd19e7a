import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseObjectUri } from "../../src/lake/keys";
import {
  applyTableUpdates,
  CommitConflict,
  evolveSchema,
  listLiveDataFiles,
  MAX_MONTH_MANIFESTS,
  newTableMetadata,
  writeSnapshotFiles,
  type DataFileInput,
  type SnapshotChange,
  TableMetadata,
} from "../../src/lake/table/format";
import { readAvroFile } from "../../src/lake/table/format/avro-read";
import type { ManifestEntry, ManifestFile } from "../../src/lake/table/format/manifest-schemas";
import { LOCATION_PARQUET_COLUMNS } from "../../src/sinks/lake-parquet";
import { specViolations, type DecodedAvro } from "../fixtures/iceberg-spec";

const bucket = env.LAKE_BUCKET;
const T0 = Date.parse("2024-06-01T09:30:00.000Z");
let tables = 0;
const newTable = () => newTableMetadata({ location: `s3://milk-lake/tables/t${++tables}`, nowMs: T0 });
const file = (key: string, hour = "09", recordCount = 10): DataFileInput => ({ key: `locations/dt=2024-06-01/hour=${hour}/${key}`, partition: `dt=2024-06-01/hour=${hour}`, recordCount, fileSizeBytes: 1000 + recordCount });
const append = (...add: DataFileInput[]): SnapshotChange => ({ operation: "append", add, removeKeys: [], summary: { "milk.commit-id": add.map((f) => f.key).join(",") } });

/** Writes the snapshot files for `change` and commits them the way a catalog would. */
async function commit(metadata: TableMetadata, change: SnapshotChange, nowMs = T0): Promise<TableMetadata> {
  const files = await writeSnapshotFiles(bucket, metadata, change, nowMs);
  if (!files) return metadata;
  return applyTableUpdates(metadata, files.requirements, files.updates, nowMs);
}

const liveKeys = async (m: TableMetadata, snapshotId?: number) => (await listLiveDataFiles(bucket, m, snapshotId)).map((f) => f.key).sort();

async function readAvro(path: string) {
  const object = await bucket.get(parseObjectUri(path).key);
  return readAvroFile(new Uint8Array(await object!.arrayBuffer()));
}

/** The spec checks of the issue with our own decoder (test/node/iceberg-readers.test.ts runs them with fastavro). */
async function specCheck(m: TableMetadata): Promise<void> {
  const snapshot = m.snapshots!.find((s) => s["snapshot-id"] === m["current-snapshot-id"])!;
  const list = await readAvro(snapshot["manifest-list"]);
  const manifests = new Map<string, DecodedAvro>();
  for (const r of list.records) manifests.set(String(r.manifest_path), await readAvro(String(r.manifest_path)));
  expect(specViolations(list, (path) => manifests.get(path)!, m["current-schema-id"])).toEqual([]);
}

describe("writeSnapshotFiles: appends and overwrites as Iceberg v2 manifests", () => {
  it("appends accumulate, each snapshot sees its own files, and the spec checks hold at every step", async () => {
    let m = newTable();
    m = await commit(m, append(file("a.parquet"), file("b.parquet")));
    const first = m["current-snapshot-id"]!;
    m = await commit(m, append(file("c.parquet", "10")));
    await specCheck(m);
    expect(await liveKeys(m)).toEqual([file("a.parquet").key, file("b.parquet").key, file("c.parquet", "10").key].sort());
    expect(await liveKeys(m, first)).toEqual([file("a.parquet").key, file("b.parquet").key]);
    expect(m["last-sequence-number"]).toBe(2);
    const live = await listLiveDataFiles(bucket, m);
    expect(live.find((f) => f.key.endsWith("c.parquet"))).toMatchObject({ sequenceNumber: 2, fileSequenceNumber: 2, partitionHour: Date.parse("2024-06-01T10:00Z") / 3_600_000 });
    expect(live.find((f) => f.key.endsWith("a.parquet"))).toMatchObject({ sequenceNumber: 1, snapshotId: first });
    const summary = m.snapshots!.at(-1)!.summary;
    expect(summary).toMatchObject({ operation: "append", "added-data-files": "1", "total-data-files": "3", "total-records": "30" });
  });

  it("a file already live is never registered twice; a change with nothing new is null", async () => {
    let m = await commit(newTable(), append(file("a.parquet")));
    const again = await writeSnapshotFiles(bucket, m, append(file("a.parquet"), file("b.parquet"), file("b.parquet")), T0);
    expect(again!.alreadyLive).toEqual([file("a.parquet").key]);
    m = applyTableUpdates(m, again!.requirements, again!.updates);
    expect(await liveKeys(m)).toEqual([file("a.parquet").key, file("b.parquet").key]);
    expect(await writeSnapshotFiles(bucket, m, append(file("a.parquet")), T0)).toBeNull();
    await specCheck(m);
  });

  it("an overwrite removes an hour's files and adds the compacted one; removed entries keep their sequence numbers", async () => {
    let m = newTable();
    m = await commit(m, append(file("a.parquet"), file("x.parquet", "10")));
    m = await commit(m, append(file("b.parquet")));
    const overwrite: SnapshotChange = { operation: "overwrite", add: [file("rebuild-j-0000.parquet", "09", 20)], removeKeys: [file("a.parquet").key, file("b.parquet").key, file("gone.parquet").key], summary: {} };
    const files = await writeSnapshotFiles(bucket, m, overwrite, T0);
    expect(files!.notLive).toEqual([file("gone.parquet").key]);
    m = applyTableUpdates(m, files!.requirements, files!.updates);
    expect(await liveKeys(m)).toEqual([file("rebuild-j-0000.parquet").key, file("x.parquet", "10").key]);
    await specCheck(m);
    const list = (await readAvro(files!.snapshot["manifest-list"])).records as unknown as ManifestFile[];
    const deleted = (await Promise.all(list.map(async (mf) => (await readAvro(mf.manifest_path)).records as unknown as ManifestEntry[]))).flat().filter((e) => e.status === 2);
    expect(deleted.map((e) => [e.data_file.file_path.split("/").pop(), e.sequence_number, e.file_sequence_number, e.snapshot_id])).toEqual(
      expect.arrayContaining([["a.parquet", 1, 1, files!.snapshot["snapshot-id"]], ["b.parquet", 2, 2, files!.snapshot["snapshot-id"]]]),
    );
    expect(files!.snapshot.summary).toMatchObject({ operation: "overwrite", "deleted-data-files": "2", "deleted-records": "20", "total-data-files": "2" });
    // The next commit drops the deletes (recorded once) and carries the live files.
    m = await commit(m, append(file("c.parquet")));
    expect(await liveKeys(m)).toHaveLength(3);
    await specCheck(m);
  });

  it("a key both removed and added (rewritten in place) is replaced, not dropped", async () => {
    let m = await commit(newTable(), append(file("r.parquet", "09", 10), file("s.parquet")));
    const rewrite: SnapshotChange = { operation: "overwrite", add: [file("r.parquet", "09", 7)], removeKeys: [file("r.parquet").key, file("s.parquet").key], summary: {} };
    m = await commit(m, rewrite);
    expect((await listLiveDataFiles(bucket, m)).map((f) => [f.key, f.recordCount])).toEqual([[file("r.parquet").key, 7]]);
    await specCheck(m);
  });

  it(`the manifest count of one month stays at most ${MAX_MONTH_MANIFESTS} over many appends, and nothing is lost by merging`, async () => {
    let m = newTable();
    const counts: number[] = [];
    for (let i = 0; i < MAX_MONTH_MANIFESTS + 8; i++) {
      m = await commit(m, append(file(`f${i}.parquet`, String(i % 24).padStart(2, "0"))));
      counts.push((await readAvro(m.snapshots!.at(-1)!["manifest-list"])).records.length);
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(MAX_MONTH_MANIFESTS);
    expect(counts.at(-1)).toBeLessThan(MAX_MONTH_MANIFESTS);
    expect(await liveKeys(m)).toHaveLength(MAX_MONTH_MANIFESTS + 8);
    await specCheck(m);
  });
});

describe("TableMetadata: the metadata JSON as input", () => {
  it("what we write parses back unchanged, and fields we do not model survive", async () => {
    const m = await commit(await commit(newTable(), append(file("a.parquet"))), append(file("b.parquet")));
    expect(TableMetadata.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
    const foreign = { ...m, "current-snapshot-id": -1, snapshots: [], refs: {}, statistics: [{ "snapshot-id": 1 }], "partition-statistics": [] };
    const parsed = TableMetadata.parse(JSON.parse(JSON.stringify(foreign)));
    expect(parsed).toMatchObject({ statistics: [{ "snapshot-id": 1 }] });
    expect(await liveKeys(parsed)).toEqual([]);
    expect(TableMetadata.safeParse({ ...m, "format-version": 1 }).success).toBe(false);
  });
});

describe("applyTableUpdates: the REST catalog's commit semantics", () => {
  it("a failed requirement throws CommitConflict and changes nothing", async () => {
    const m = await commit(newTable(), append(file("a.parquet")));
    const files = await writeSnapshotFiles(bucket, m, append(file("b.parquet")), T0);
    const moved = applyTableUpdates(m, files!.requirements, files!.updates);
    // A second writer built on the same parent: its assert-ref-snapshot-id no longer holds.
    const racing = await writeSnapshotFiles(bucket, m, append(file("c.parquet")), T0);
    expect(() => applyTableUpdates(moved, racing!.requirements, racing!.updates)).toThrow(CommitConflict);
    expect(() => applyTableUpdates(moved, [{ type: "assert-table-uuid", uuid: crypto.randomUUID() }], [])).toThrow(CommitConflict);
    expect(() => applyTableUpdates(moved, [{ type: "assert-create" }], [])).toThrow(CommitConflict);
    expect(() => applyTableUpdates(moved, [{ type: "assert-current-schema-id", "current-schema-id": 5 }], [])).toThrow(CommitConflict);
    expect(await liveKeys(moved)).toEqual([file("a.parquet").key, file("b.parquet").key]);
  });

  it("a first commit asserts main does not exist yet; snapshots, refs, log and properties follow the updates", async () => {
    const empty = newTable();
    const files = await writeSnapshotFiles(bucket, empty, append(file("a.parquet")), T0 + 5);
    expect(files!.requirements).toContainEqual({ type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": null });
    const m = applyTableUpdates(empty, files!.requirements, [...files!.updates, { action: "set-properties", updates: { "milk.hour-complete": "x" } }], T0 + 9);
    const id = files!.snapshot["snapshot-id"];
    expect(m).toMatchObject({ "current-snapshot-id": id, refs: { main: { "snapshot-id": id, type: "branch" } }, "last-sequence-number": 1, "last-updated-ms": T0 + 9 });
    expect(m["snapshot-log"]).toEqual([{ "timestamp-ms": T0 + 5, "snapshot-id": id }]);
    expect(m.properties).toMatchObject({ "milk.hour-complete": "x" });
    const removed = applyTableUpdates(m, [], [{ action: "remove-snapshots", "snapshot-ids": [id] }]);
    expect([removed.snapshots, removed.refs, removed["current-snapshot-id"]]).toEqual([[], {}, null]);
    expect(() => applyTableUpdates(m, [], files!.updates)).toThrow(/already exists/);
  });

  it("a new nullable column in the spec evolves the schema by id; a renamed id is refused", () => {
    const m = newTable();
    expect(evolveSchema(m)).toBeNull();
    const columns = [...LOCATION_PARQUET_COLUMNS, { name: "speed_mps", kind: "double" as const, required: false, fieldId: 34 }];
    const evolution = evolveSchema(m, columns)!;
    const next = applyTableUpdates(m, evolution.requirements, evolution.updates);
    expect(next["current-schema-id"]).toBe(1);
    expect(next.schemas[1]!.fields.at(-1)).toEqual({ id: 34, name: "speed_mps", required: false, type: "double" });
    expect(next["last-column-id"]).toBe(34);
    expect(() => applyTableUpdates(next, evolution.requirements, evolution.updates)).toThrow(CommitConflict);
    const renamed = LOCATION_PARQUET_COLUMNS.map((c) => (c.fieldId === 3 ? { ...c, name: "created_ms" } : c));
    expect(() => evolveSchema(m, renamed)).toThrow(/field id 3/);
    expect(() => evolveSchema(m, [...LOCATION_PARQUET_COLUMNS, { ...columns.at(-1)!, required: true }])).toThrow(/nullable/);
  });
});
