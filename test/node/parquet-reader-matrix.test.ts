import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetHeader } from "hyparquet/src/column.js";
import { describe, expect, it } from "vitest";
import type { LocationRecord } from "../../src/normalize";
import { createLocationParquetWriter, encodeLocationParquet, sortRecords, toColumns } from "../../src/sinks/lake-parquet";
import { concatBytes } from "../../src/sinks/parquet/byte-writer";
import { asStored, edgeRecords, fleetRecords } from "./parquet-edge-records";
import { READERS, readAll, readMetadata, type Row } from "./parquet-readers";

const dir = mkdtempSync(join(tmpdir(), "readers-"));
/** parquet-java's created_by parser (VersionParser, applied with matches(): the whole string). */
const PARQUET_JAVA_VERSION = /^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$/;

/** The streaming writer as the compactor drives it: one row group per slice. */
async function compactedFile(sorted: LocationRecord[], groupRows: number): Promise<Uint8Array> {
  const writer = createLocationParquetWriter();
  const parts = [writer.start()];
  for (let i = 0; i < sorted.length; i += groupRows) parts.push(await writer.writeRowGroup(toColumns(sorted.slice(i, i + groupRows))));
  parts.push(writer.finish());
  return concatBytes(parts);
}

function expectedRows(sorted: LocationRecord[]): Row[] {
  return sorted.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" ? asStored(v) : v])));
}

/** Every page is a v1 DATA_PAGE or a DICTIONARY_PAGE, PLAIN or dictionary-encoded, levels RLE. */
function expectConservativePages(bytes: Uint8Array): void {
  const meta = readMetadata(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const group of meta.row_groups) {
    for (const { meta_data: chunk } of group.columns) {
      expect(["GZIP", "UNCOMPRESSED"]).toContain(chunk!.codec);
      for (const e of chunk!.encodings) expect(["PLAIN", "PLAIN_DICTIONARY", "RLE"]).toContain(e);
      const reader = { view, offset: Number(chunk!.dictionary_page_offset ?? chunk!.data_page_offset) };
      const end = reader.offset + Number(chunk!.total_compressed_size);
      while (reader.offset < end) {
        const header = parquetHeader(reader);
        expect(["DATA_PAGE", "DICTIONARY_PAGE"]).toContain(header.type);
        const encoding = header.data_page_header?.encoding ?? header.dictionary_page_header?.encoding;
        expect(["PLAIN", "PLAIN_DICTIONARY"]).toContain(encoding);
        if (header.data_page_header) expect(header.data_page_header.definition_level_encoding).toBe("RLE");
        reader.offset += header.compressed_page_size;
      }
      expect(reader.offset).toBe(end);
    }
  }
  const [, name, version] = PARQUET_JAVA_VERSION.exec(meta.created_by!)!;
  expect(name).toBe("milk-telemetry-lake");
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  for (const group of meta.row_groups) {
    expect(group.sorting_columns?.map((s) => meta.schema[s.column_idx + 1]!.name)).toEqual(["user_id", "created_at", "id"]);
  }
}

describe("every lake file shape reads back cell by cell through three independent readers", () => {
  const shapes: [string, () => Promise<{ sorted: LocationRecord[]; bytes: Uint8Array; groups: number }>][] = [
    ["batch file (encodeLocationParquet, 100 rows)", async () => {
      const sorted = sortRecords(fleetRecords(100));
      return { sorted, bytes: await encodeLocationParquet(sorted), groups: 1 };
    }],
    ["compacted file (streaming writer, 4 row groups of 2,500)", async () => {
      const sorted = sortRecords(fleetRecords(10_000));
      return { sorted, bytes: await compactedFile(sorted, 2_500), groups: 4 };
    }],
    ["edge-case file (non-ASCII, emoji, fullwidth, U+FFFD, NUL, lone surrogate, -0.0, ±180/±90, extreme ints, nulls)", async () => {
      const sorted = sortRecords(edgeRecords());
      return { sorted, bytes: await encodeLocationParquet(sorted), groups: 1 };
    }],
  ];

  it.each(shapes)("%s", async (_name, make) => {
    const { sorted, bytes, groups } = await make();
    expect(readMetadata(bytes).row_groups).toHaveLength(groups);
    expectConservativePages(bytes);
    const want = expectedRows(sorted);
    const got = await readAll(bytes, join(dir, `f-${groups}-${sorted.length}.parquet`));
    for (const reader of READERS) {
      expect(got[reader], reader).toHaveLength(want.length);
      got[reader].forEach((row, i) => expect(row, `${reader} row ${i}`).toStrictEqual(want[i]));
    }
  });

  it("uses both dictionary and PLAIN pages in the compacted shape", async () => {
    const bytes = await compactedFile(sortRecords(fleetRecords(5_000)), 2_500);
    const encodings = readMetadata(bytes).row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!.encodings.join(",")));
    expect(encodings).toContain("PLAIN_DICTIONARY,RLE");
    expect(encodings).toContain("PLAIN,RLE");
  });
});
