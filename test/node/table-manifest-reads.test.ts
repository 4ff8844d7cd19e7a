import { icebergRead } from "icebird";
import { beforeAll, describe, expect, it } from "vitest";
import { liveDataKeys } from "../../scripts/lib/lake-table.mjs";
import { hourPartition, parseObjectUri } from "../../src/lake/keys";
import { applyTableUpdates, listLiveDataFiles, newTableMetadata, writeSnapshotFiles, type DataFileInput, type SnapshotChange, type TableBucket, type TableMetadata } from "../../src/lake/table/format";
import { readAvroFile } from "../../src/lake/table/format/avro-read";
import { readInt } from "../../src/lake/table/format/bounds";
import type { ManifestFile } from "../../src/lake/table/format/manifest-schemas";
import type { LocationRecord } from "../../src/normalize";
import { encodeLocationParquet, sortRecords } from "../../src/sinks/lake-parquet";
import { specViolations, type DecodedAvro } from "../fixtures/iceberg-spec";
import { fleetRecords } from "./parquet-edge-records";
import { readWithHyparquet, type Row } from "./parquet-readers";

/**
 * A commit's cost must not grow with the table's age (issue 19): it reads only the manifests
 * whose hour range (the manifest list's partition summary) may hold an hour it adds to or
 * removes from; other months' manifests are carried by reference, unread and unchanged. The
 * table is then read back by icebird, which decodes metadata, Avro and Parquet with its own code.
 */
const BUCKET = "milk-lake";
const HOUR = 3_600_000;
const MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"];
const objects = new Map<string, Uint8Array>();
/** Keys of the manifests (not lists) read through the table code since the last reset. */
const manifestReads: string[] = [];
const bucket: TableBucket = {
  get: async (key) => {
    const bytes = objects.get(key);
    if (bytes && key.endsWith(".avro") && !key.split("/").at(-1)!.startsWith("snap-")) manifestReads.push(key);
    return bytes ? { arrayBuffer: async () => bytes.slice().buffer } : null;
  },
  put: async (key, value) => objects.set(key, value.slice()),
};
let table: TableMetadata;
/** What the test expects to be live, tracked here, not read back from the table. */
const expectedLive = new Set<string>();

async function putLakeFile(name: string, hourMs: number, rows: number): Promise<DataFileInput> {
  const records: LocationRecord[] = fleetRecords(rows).map((r, i) => ({ ...r, id: `${name}-${i}`, created_at: hourMs + i * 60_000, created_at_ms: hourMs + i * 60_000 }));
  const bytes = await encodeLocationParquet(sortRecords(records));
  const partition = hourPartition(hourMs);
  const key = `locations/${partition}/${name}.parquet`;
  objects.set(key, bytes);
  return { key, partition, recordCount: rows, fileSizeBytes: bytes.byteLength };
}

async function commit(change: SnapshotChange): Promise<void> {
  const files = await writeSnapshotFiles(bucket, table, change, Date.now());
  table = applyTableUpdates(table, files!.requirements, files!.updates);
  for (const key of change.removeKeys) expectedLive.delete(key);
  for (const file of change.add) expectedLive.add(file.key);
}

const append = (file: DataFileInput): SnapshotChange => ({ operation: "append", add: [file], removeKeys: [], summary: {} });
const hourOf = (month: string, day: number, hour: number) => Date.parse(`${month}-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00.000Z`);

async function currentList(): Promise<ManifestFile[]> {
  const path = table.snapshots!.find((s) => s["snapshot-id"] === table["current-snapshot-id"])!["manifest-list"];
  return (await readAvroFile(objects.get(parseObjectUri(path).key)!)).records as unknown as ManifestFile[];
}

const rangeOf = (m: ManifestFile) => [readInt(m.partitions![0]!.lower_bound!), readInt(m.partitions![0]!.upper_bound!)] as const;
const holds = (m: ManifestFile, hourMs: number) => rangeOf(m)[0] <= hourMs / HOUR && hourMs / HOUR <= rangeOf(m)[1];
const keyOf = (m: ManifestFile) => parseObjectUri(m.manifest_path).key;

beforeAll(async () => {
  table = newTableMetadata({ location: `s3://${BUCKET}/tables/milk/locations`, nowMs: Date.now() });
  // Three appends a month for six months, each one file in its own hour.
  for (const month of MONTHS) for (const hour of [1, 2, 3]) await commit(append(await putLakeFile(`${month}-h${hour}`, hourOf(month, 5, hour), 3)));
}, 60_000);

describe("a commit reads only the manifests whose hours it touches", () => {
  it("each month older than the newest has settled into one manifest", async () => {
    const months = (await currentList()).map((m) => new Date(rangeOf(m)[1] * HOUR).toISOString().slice(0, 7));
    for (const month of MONTHS.slice(0, -1)) expect(months.filter((m) => m === month)).toHaveLength(1);
    expect(months.length).toBeGreaterThanOrEqual(MONTHS.length);
  });

  it("an append to an hour of the newest month reads only the manifests that may hold that hour", async () => {
    const hourMs = hourOf("2024-06", 5, 2);
    const before = await currentList();
    manifestReads.length = 0;
    await commit(append(await putLakeFile("2024-06-h2-late", hourMs, 2)));
    expect(manifestReads.length).toBeGreaterThan(0);
    expect(new Set(manifestReads)).toEqual(new Set(before.filter((m) => holds(m, hourMs)).map(keyOf)));
    expect(manifestReads.length).toBeLessThan(before.length / 2);
    // Every manifest is carried by reference: the list only gained the new one.
    expect((await currentList()).map(keyOf)).toEqual(expect.arrayContaining(before.map(keyOf)));
  });

  it("a compaction of an hour three months back reads and rewrites only that month's manifest", async () => {
    const hourMs = hourOf("2024-03", 5, 2);
    const before = await currentList();
    const removed = `locations/${hourPartition(hourMs)}/2024-03-h2.parquet`;
    const rebuilt = await putLakeFile("rebuild-job-0000", hourMs, 3);
    manifestReads.length = 0;
    await commit({ operation: "overwrite", add: [rebuilt], removeKeys: [removed], summary: {} });
    const march = before.filter((m) => holds(m, hourMs)).map(keyOf);
    expect(march).toHaveLength(1);
    expect(manifestReads).toEqual(march);
    const after = (await currentList()).map(keyOf);
    expect(after).not.toContain(march[0]);
    expect(after).toEqual(expect.arrayContaining(before.map(keyOf).filter((k) => k !== march[0])));
  });

  it("the table stays exact: icebird and the lake query's reader see exactly the expected files, the summary counts them, the spec checks hold", async () => {
    const live = (await listLiveDataFiles(bucket, table)).map((f) => f.key);
    expect(live.sort()).toEqual([...expectedLive].sort());
    // What `npm run lake -- query` reads (icebird's Avro decoder, not ours).
    expect(await liveDataKeys(table, async (key: string) => objects.get(key) ?? null)).toEqual([...expectedLive].sort());
    const summary = table.snapshots!.at(-1)!.summary;
    expect(summary["total-data-files"]).toBe(String(expectedLive.size));
    expect(summary["total-records"]).toBe(String(3 * expectedLive.size - 1)); // every file 3 rows, the late one 2

    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const bytes = objects.get(decodeURIComponent(url.pathname.slice(1)));
      if (!bytes) return new Response(null, { status: 404 });
      const range = /bytes=(\d+)-(\d*)/.exec(new Headers(init?.headers).get("range") ?? "");
      if (!range) return new Response(bytes.slice());
      return new Response(bytes.slice(Number(range[1]), range[2] ? Number(range[2]) + 1 : bytes.byteLength), { status: 206 });
    }) as typeof fetch;
    let rows: Row[];
    try {
      rows = await icebergRead({ tableUrl: table.location, metadata: table as never });
    } finally {
      globalThis.fetch = realFetch;
    }
    const ids = (list: Row[]) => list.map((r) => String(r.id)).sort();
    const lake: Row[] = [];
    for (const key of expectedLive) lake.push(...(await readWithHyparquet(objects.get(key)!)));
    expect(ids(rows)).toEqual(ids(lake));

    const decode = async (path: string) => (await readAvroFile(objects.get(parseObjectUri(path).key)!)) as unknown as DecodedAvro;
    const list = await decode(table.snapshots!.at(-1)!["manifest-list"]);
    const manifests = new Map<string, DecodedAvro>();
    for (const m of list.records) manifests.set(String(m.manifest_path), await decode(String(m.manifest_path)));
    expect(specViolations(list, (path) => manifests.get(path)!, table["current-schema-id"])).toEqual([]);
  });
});
