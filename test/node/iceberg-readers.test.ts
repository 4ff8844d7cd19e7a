import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { icebergRead } from "icebird";
import { beforeAll, describe, expect, it } from "vitest";
import { hourPartition, parseObjectUri } from "../../src/lake/keys";
import { applyTableUpdates, listLiveDataFiles, newTableMetadata, writeSnapshotFiles, type DataFileInput, type SnapshotChange, type TableBucket, type TableMetadata } from "../../src/lake/table/format";
import { readAvroFile } from "../../src/lake/table/format/avro-read";
import { readLong } from "../../src/lake/table/format/bounds";
import type { LocationRecord } from "../../src/normalize";
import { encodeLocationParquet, sortRecords } from "../../src/sinks/lake-parquet";
import { specViolations, type DecodedAvro } from "../fixtures/iceberg-spec";
import { fleetRecords } from "./parquet-edge-records";
import { readWithHyparquet, type Row } from "./parquet-readers";

const BUCKET = "milk-lake";
const H9 = Date.parse("2024-06-01T09:00:00.000Z");
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), "iceberg-"));
const objects = new Map<string, Uint8Array>();
/**
 * Whole-object get/put over a Map: all the table format asks of R2 (its workers test,
 * test/workers/table-format.test.ts, runs the same code on the real R2 binding). Here the point
 * is the readers, which get the bytes straight from this Map, never through our code.
 */
const bucket: TableBucket = {
  get: async (key) => {
    const bytes = objects.get(key);
    return bytes ? { arrayBuffer: async () => bytes.slice().buffer } : null;
  },
  put: async (key, value) => objects.set(key, value.slice()),
};
let table: TableMetadata;
const rowsByKey = new Map<string, LocationRecord[]>();

/** `count` rows in the hour starting at `hourMs`, ids unique per file. */
function rowsIn(name: string, hourMs: number, count: number): LocationRecord[] {
  return fleetRecords(count).map((r, i) => ({ ...r, id: `${name}-${i}`, created_at: hourMs + i * 61_000, created_at_ms: hourMs + i * 61_000 }));
}

async function putLakeFile(name: string, records: LocationRecord[]): Promise<DataFileInput> {
  const sorted = sortRecords(records);
  const bytes = await encodeLocationParquet(sorted);
  const partition = hourPartition(sorted[0]!.created_at);
  const key = `locations/${partition}/${name}.parquet`;
  await bucket.put(key, bytes);
  rowsByKey.set(key, sorted);
  return { key, partition, recordCount: sorted.length, fileSizeBytes: bytes.byteLength };
}

async function commit(change: SnapshotChange): Promise<void> {
  const files = await writeSnapshotFiles(bucket, table, change, Date.now());
  table = applyTableUpdates(table, files!.requirements, files!.updates);
}

/** Every object as a file, for fastavro. */
function writeObjectsToDisk(): void {
  for (const [key, bytes] of objects) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), bytes);
  }
}

beforeAll(async () => {
  table = newTableMetadata({ location: `s3://${BUCKET}/tables/milk/locations`, nowMs: Date.now() });
  const a = await putLakeFile("a", rowsIn("a", H9, 40));
  const b = await putLakeFile("b", rowsIn("b", H9 + HOUR, 25));
  await commit({ operation: "append", add: [a, b], removeKeys: [], summary: {} });
  const c = await putLakeFile("c", rowsIn("c", H9, 30));
  await commit({ operation: "append", add: [c], removeKeys: [], summary: {} });
  // Compaction of hour 09: one rebuilt file replaces a and c.
  const rebuilt = await putLakeFile("rebuild-job1-0000", [...rowsByKey.get(a.key)!, ...rowsByKey.get(c.key)!]);
  await commit({ operation: "overwrite", add: [rebuilt], removeKeys: [a.key, c.key], summary: {} });
  const d = await putLakeFile("d", rowsIn("d", H9 + 2 * HOUR, 10));
  await commit({ operation: "append", add: [d], removeKeys: [], summary: {} });
  writeObjectsToDisk();
}, 60_000);

/** One JS shape: timestamps as epoch ms, INT64 as numbers. */
const plain = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.getTime() : typeof v === "bigint" ? Number(v) : v]));
const byId = (a: Row, b: Row) => String(a.id).localeCompare(String(b.id));

/** The rows of lake objects as hyparquet reads them straight from the bytes. */
async function lakeRows(keys: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const key of keys) rows.push(...(await readWithHyparquet(objects.get(key)!)));
  return rows;
}

const HAS_FASTAVRO = spawnSync("python3", ["-c", "import fastavro"], { timeout: 30_000 }).status === 0;
if (!HAS_FASTAVRO) console.warn("SKIPPED: the fastavro checks need python3 with fastavro (pip install fastavro)");

describe("the Iceberg table read by independent readers", () => {
  it("icebird (hyparquet inside) returns exactly the rows of the live lake files", async () => {
    const live = await listLiveDataFiles(bucket, table);
    expect(live.map((f) => f.key.split("/").pop()).sort()).toEqual(["b.parquet", "d.parquet", "rebuild-job1-0000.parquet"]);
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const bytes = objects.get(decodeURIComponent(url.pathname.slice(1)));
      if (!url.hostname.startsWith(`${BUCKET}.`) || !bytes) return new Response(null, { status: 404 });
      const range = /bytes=(\d+)-(\d*)/.exec(new Headers(init?.headers).get("range") ?? "");
      if (!range) return new Response(bytes.slice());
      const end = range[2] ? Number(range[2]) + 1 : bytes.byteLength;
      return new Response(bytes.slice(Number(range[1]), end), { status: 206 });
    }) as typeof fetch;
    try {
      const rows = (await icebergRead({ tableUrl: table.location, metadata: table as never })).map(plain);
      expect(rows.length).toBe(40 + 30 + 25 + 10);
      expect(rows.sort(byId)).toEqual((await lakeRows(live.map((f) => f.key))).sort(byId));
      // Every earlier snapshot too (time travel): the overwrite's own snapshot holds DELETED entries.
      for (const snapshot of table.snapshots!) {
        const id = snapshot["snapshot-id"];
        const old = (await icebergRead({ tableUrl: table.location, metadata: { ...table, "current-snapshot-id": id } as never })).map(plain);
        expect(old.sort(byId)).toEqual((await lakeRows((await listLiveDataFiles(bucket, table, id)).map((f) => f.key))).sort(byId));
      }
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it.skipIf(!HAS_FASTAVRO)("every data file's partition value and created_at bounds hold its rows (created_at read back by hyparquet)", async () => {
    const decoded = await decodeWithFastavro();
    const manifests = [...decoded.values()].filter((avro) => avro.metadata.content === "data");
    expect(manifests.length).toBeGreaterThan(3);
    for (const manifest of manifests) {
      for (const entry of manifest.records.filter((e) => e.status !== 2) as { data_file: Record<string, unknown> }[]) {
        const file = entry.data_file;
        const created = (await readWithHyparquet(objects.get(parseObjectUri(String(file.file_path)).key)!)).map((r) => Number(r.created_at));
        const [min, max] = [Math.min(...created), Math.max(...created)];
        expect((file.partition as Record<string, number>).created_at_hour).toBe(Math.floor(min / HOUR));
        expect(Math.floor(max / HOUR)).toBe(Math.floor(min / HOUR));
        const bound = (name: string) => readLong(Buffer.from(String((file[name] as { key: number; value: string }[]).find((b) => b.key === 2)!.value), "hex"));
        expect(bound("lower_bounds") <= BigInt(min) * 1000n && bound("upper_bounds") >= BigInt(max) * 1000n).toBe(true);
      }
    }
  });

  it.skipIf(!HAS_FASTAVRO)("fastavro decodes every manifest list and manifest; the spec checks hold on what it decoded", async () => {
    const decoded = await decodeWithFastavro();
    for (const snapshot of table.snapshots!) {
      const list = decoded.get(snapshot["manifest-list"])!;
      expect(specViolations(list, (path) => decoded.get(path)!, table["current-schema-id"])).toEqual([]);
      expect(list.metadata).toMatchObject({ "snapshot-id": String(snapshot["snapshot-id"]), "format-version": "2" });
    }
  });

  it.skipIf(!HAS_FASTAVRO)("our Avro reader decodes a deflate file in several blocks written by fastavro", async () => {
    const current = table.snapshots!.at(-1)!["manifest-list"];
    const ours = await readAvroFile(objects.get(parseObjectUri(current).key)!);
    const records = Array.from({ length: 40 }, (_, i) => ({ ...ours.records[i % ours.records.length]!, manifest_path: `s3://${BUCKET}/m${i}.avro`, partitions: null }));
    const hex = execFileSync("python3", ["-c", FASTAVRO_DEFLATE, JSON.stringify(ours.schema), JSON.stringify(records)], { encoding: "utf8", timeout: 60_000 });
    const decoded = await readAvroFile(new Uint8Array(Buffer.from(hex, "hex")));
    expect(decoded.metadata["avro.codec"]).toBe("deflate");
    expect(decoded.records).toEqual(records);
  });
});

/** A deflate manifest list as Iceberg's Java writer makes them (fastavro writes it from our schema). */
const FASTAVRO_DEFLATE = `
import io, json, sys, fastavro
schema = fastavro.parse_schema(json.loads(sys.argv[1]))
records = json.loads(sys.argv[2])
out = io.BytesIO()
fastavro.writer(out, schema, records, codec="deflate", sync_interval=200, metadata={"format-version": "2"})
sys.stdout.write(out.getvalue().hex())
`;

const FASTAVRO = `
import json, sys, fastavro
out = {}
for uri, path in zip(sys.argv[1::2], sys.argv[2::2]):
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        records = list(reader)
        meta = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in reader.metadata.items()}
        out[uri] = {"schema": json.loads(meta["avro.schema"]), "metadata": meta, "records": records}
print(json.dumps(out, default=lambda v: v.hex() if isinstance(v, bytes) else str(v)))
`;

/** Every Avro file of the table, decoded by Python's fastavro (bytes as hex). */
async function decodeWithFastavro(): Promise<Map<string, DecodedAvro>> {
  const avro = [...objects.keys()].filter((k) => k.endsWith(".avro"));
  const args = avro.flatMap((k) => [`s3://${BUCKET}/${k}`, join(dir, k)]);
  return new Map(Object.entries(JSON.parse(execFileSync("python3", ["-c", FASTAVRO, ...args], { encoding: "utf8", maxBuffer: 64 << 20, timeout: 60_000 }))));
}
