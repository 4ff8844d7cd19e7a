import type { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import type { ColumnChunk, Encoding, PageHeader, Statistics } from "hyparquet";
import { schemaElement, type ColumnSpec, type ColumnValue } from "./column-spec";
import {
  buildDictionary, encodeDefinitionLevels, encodeDictionaryIndexes, encodePlain, encodeValues, type Dictionary,
} from "./encode-values";

/** Rows per data page: keeps pages near 100-200 KB uncompressed for readers. */
const PAGE_ROWS = 20_000;

interface PageSizes {
  uncompressed: number;
  compressed: number;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function writePage(writer: ByteWriter, header: Omit<PageHeader, "uncompressed_page_size" | "compressed_page_size">, body: Uint8Array): PageSizes {
  const compressed = snappyCompress(body);
  const start = writer.offset;
  writePageHeader(writer, { ...header, uncompressed_page_size: body.byteLength, compressed_page_size: compressed.byteLength });
  const headerBytes = writer.offset - start;
  writer.appendBytes(compressed);
  return { uncompressed: headerBytes + body.byteLength, compressed: headerBytes + compressed.byteLength };
}

function columnStatistics(values: ColumnValue[], nonNull: ColumnValue[]): Statistics {
  let min = nonNull[0];
  let max = nonNull[0];
  for (const v of nonNull) {
    if ((v as number) < (min as number)) min = v;
    if ((v as number) > (max as number)) max = v;
  }
  const stats: Statistics = { null_count: BigInt(values.length - nonNull.length) };
  if (min !== undefined && min !== null) Object.assign(stats, { min_value: min, max_value: max });
  return stats;
}

function encodePageValues(spec: ColumnSpec, pageNonNull: ColumnValue[], dictionary: Dictionary | null, indexStart: number) {
  if (!dictionary) return encodeValues(spec.kind, pageNonNull);
  const indexes = dictionary.indexes.slice(indexStart, indexStart + pageNonNull.length);
  return { encoding: "PLAIN_DICTIONARY" as Encoding, bytes: encodeDictionaryIndexes(indexes, dictionary.values.length) };
}

/** Writes one column chunk as v1 data pages (plus a dictionary page for repeated strings). */
/** `base` is the file offset `writer` starts at (row groups are written to their own buffers). */
export function writeColumnChunk(writer: ByteWriter, spec: ColumnSpec, values: ColumnValue[], base = 0): ColumnChunk {
  const element = schemaElement(spec);
  const nonNull = values.filter((v) => v !== null);
  const dictionary = buildDictionary(spec.kind, nonNull);
  const sizes: PageSizes = { uncompressed: 0, compressed: 0 };
  const add = (page: PageSizes) => ((sizes.uncompressed += page.uncompressed), (sizes.compressed += page.compressed));
  const encodings = new Set<Encoding>(["RLE"]);

  let dictionary_page_offset: bigint | undefined;
  if (dictionary) {
    dictionary_page_offset = BigInt(base + writer.offset);
    const header = { type: "DICTIONARY_PAGE" as const, dictionary_page_header: { num_values: dictionary.values.length, encoding: "PLAIN_DICTIONARY" as Encoding } };
    add(writePage(writer, header, encodePlain(spec.kind, dictionary.values)));
  }
  const data_page_offset = BigInt(base + writer.offset);
  let indexStart = 0;
  for (let start = 0; start < Math.max(values.length, 1); start += PAGE_ROWS) {
    const page = values.slice(start, start + PAGE_ROWS);
    const pageNonNull = page.filter((v) => v !== null);
    const { encoding, bytes } = encodePageValues(spec, pageNonNull, dictionary, indexStart);
    indexStart += pageNonNull.length;
    encodings.add(encoding);
    const body = spec.required ? bytes : concat([encodeDefinitionLevels(page), bytes]);
    const data_page_header = { num_values: page.length, encoding, definition_level_encoding: "RLE" as Encoding, repetition_level_encoding: "RLE" as Encoding };
    add(writePage(writer, { type: "DATA_PAGE", data_page_header }, body));
  }
  return {
    file_offset: dictionary_page_offset ?? data_page_offset,
    meta_data: {
      type: element.type!,
      encodings: [...encodings],
      path_in_schema: [spec.name],
      codec: "SNAPPY",
      num_values: BigInt(values.length),
      total_uncompressed_size: BigInt(sizes.uncompressed),
      total_compressed_size: BigInt(sizes.compressed),
      data_page_offset,
      dictionary_page_offset,
      statistics: columnStatistics(values, nonNull),
    },
  };
}
