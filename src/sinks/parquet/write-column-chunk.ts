import { ByteWriter, concatBytes } from "./byte-writer";
import { PHYSICAL_TYPE, type ColumnSpec, type ColumnValue } from "./column-spec";
import { gzip } from "./compress";
import { buildDictionary, encodeDefinitionLevels, encodeDictionaryIndexes, encodePlain, toWellFormed, type Dictionary } from "./encode-values";
import { CODEC_GZIP, CODEC_UNCOMPRESSED, Encoding, writePageHeader, type ColumnChunkMeta, type EncodingId } from "./parquet-format";
import { columnStatistics } from "./statistics";

/** Rows per data page: keeps pages near 100-200 KB uncompressed for readers. */
const PAGE_ROWS = 20_000;

interface Page {
  dictionary: boolean;
  numValues: number;
  encoding: EncodingId;
  body: Uint8Array;
}

function dataPages(spec: ColumnSpec, values: ColumnValue[], dictionary: Dictionary | null): Page[] {
  const pages: Page[] = [];
  let indexStart = 0;
  for (let start = 0; start < Math.max(values.length, 1); start += PAGE_ROWS) {
    const page = values.slice(start, start + PAGE_ROWS);
    const nonNull = page.filter((v) => v !== null);
    const bytes = dictionary
      ? encodeDictionaryIndexes(dictionary.indexes.slice(indexStart, indexStart + nonNull.length), dictionary.values.length)
      : encodePlain(spec.kind, nonNull);
    indexStart += nonNull.length;
    const body = spec.required ? bytes : concatBytes([encodeDefinitionLevels(page), bytes]);
    pages.push({ dictionary: false, numValues: page.length, encoding: dictionary ? Encoding.PLAIN_DICTIONARY : Encoding.PLAIN, body });
  }
  return pages;
}

/**
 * Below this many bytes a chunk is stored UNCOMPRESSED: gzip's 18-byte frame and one stream per
 * page cost more than they save (measured on 100-row batch files, docs/performance.md).
 */
const MIN_GZIP_BYTES = 256;

/** GZIP pages, unless the chunk is tiny or gzip does not shrink it. */
async function compressPages(pages: Page[]): Promise<{ codec: number; bodies: Uint8Array[] }> {
  const raw = pages.map((page) => page.body);
  const size = (parts: Uint8Array[]) => parts.reduce((n, part) => n + part.byteLength, 0);
  if (size(raw) < MIN_GZIP_BYTES) return { codec: CODEC_UNCOMPRESSED, bodies: raw };
  const bodies = await Promise.all(raw.map(gzip));
  return size(bodies) < size(raw) ? { codec: CODEC_GZIP, bodies } : { codec: CODEC_UNCOMPRESSED, bodies: raw };
}

/**
 * One column chunk as v1 pages: an optional PLAIN_DICTIONARY dictionary page, then DATA_PAGE
 * pages that are PLAIN or dictionary indexes, levels RLE; every page GZIP-compressed.
 * Returns the chunk's bytes and its metadata, offsets relative to the chunk's first byte.
 */
export async function writeColumnChunk(spec: ColumnSpec, raw: ColumnValue[]): Promise<{ bytes: Uint8Array; meta: ColumnChunkMeta }> {
  const values = spec.kind === "string" ? raw.map((v) => (v === null ? v : toWellFormed(v as string))) : raw;
  const nonNull = values.filter((v) => v !== null);
  const dictionary = buildDictionary(spec.kind, nonNull);
  const pages = dataPages(spec, values, dictionary);
  if (dictionary) pages.unshift({ dictionary: true, numValues: dictionary.values.length, encoding: Encoding.PLAIN_DICTIONARY, body: encodePlain(spec.kind, dictionary.values) });
  const { codec, bodies: compressed } = await compressPages(pages);
  const writer = new ByteWriter();
  let uncompressedSize = 0;
  let firstDataPage = 0;
  pages.forEach((page, i) => {
    if (i === 1 && dictionary) firstDataPage = writer.offset;
    const start = writer.offset;
    const body = compressed[i]!;
    writePageHeader(writer, { ...page, uncompressedSize: page.body.byteLength, compressedSize: body.byteLength });
    uncompressedSize += writer.offset - start + page.body.byteLength;
    writer.appendBytes(body);
  });
  const meta: ColumnChunkMeta = {
    type: PHYSICAL_TYPE[spec.kind],
    path: spec.name,
    encodings: dictionary ? [Encoding.PLAIN_DICTIONARY, Encoding.RLE] : [Encoding.PLAIN, Encoding.RLE],
    numValues: values.length,
    uncompressedSize,
    compressedSize: writer.offset,
    dataPageOffset: firstDataPage,
    dictionaryPageOffset: dictionary ? 0 : undefined,
    codec,
    statistics: columnStatistics(spec.kind, values.length, nonNull),
  };
  return { bytes: writer.getBytes(), meta };
}
