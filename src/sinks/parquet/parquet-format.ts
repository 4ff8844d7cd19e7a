import type { ByteWriter } from "./byte-writer";
import { writeStruct, type ThriftStruct } from "./thrift-compact";

// Enum values and field ids from parquet-format's parquet.thrift.
export const PhysicalType = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
export const Encoding = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3 } as const;
export type EncodingId = (typeof Encoding)[keyof typeof Encoding];
/** GZIP (2), chosen by measurement (docs/performance.md); UNCOMPRESSED (0) for tiny chunks. */
export const CODEC_GZIP = 2;
export const CODEC_UNCOMPRESSED = 0;
const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;

export interface Statistics {
  nullCount: number;
  /** PLAIN-encoded bounds in the column's sort order; absent when there is no non-null, non-NaN value. */
  min?: Uint8Array;
  max?: Uint8Array;
}

export interface ColumnChunkMeta {
  type: number;
  path: string;
  codec: number;
  encodings: EncodingId[];
  numValues: number;
  uncompressedSize: number;
  compressedSize: number;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  statistics: Statistics;
}

export interface RowGroupMeta {
  columns: ColumnChunkMeta[];
  numRows: number;
  fileOffset: number;
  totalByteSize: number;
  totalCompressedSize: number;
  sortingColumns: number[];
}

export interface FileMeta {
  schema: ThriftStruct[];
  numRows: number;
  rowGroups: RowGroupMeta[];
  keyValue: Record<string, string>;
  createdBy: string;
}

export interface PageHeader {
  dictionary: boolean;
  numValues: number;
  encoding: EncodingId;
  uncompressedSize: number;
  compressedSize: number;
}

export function writePageHeader(writer: ByteWriter, page: PageHeader): void {
  const body: ThriftStruct = { 1: { i32: page.numValues }, 2: { i32: page.encoding } };
  if (!page.dictionary) Object.assign(body, { 3: { i32: Encoding.RLE }, 4: { i32: Encoding.RLE } });
  writeStruct(writer, {
    1: { i32: page.dictionary ? PageType.DICTIONARY_PAGE : PageType.DATA_PAGE },
    2: { i32: page.uncompressedSize },
    3: { i32: page.compressedSize },
    [page.dictionary ? 7 : 5]: { struct: body },
  });
}

function statisticsStruct(stats: Statistics): ThriftStruct {
  // Only the spec-ordered min_value/max_value (5, 6): the deprecated min/max used signed byte order.
  return { 3: { i64: stats.nullCount }, 5: stats.max && { binary: stats.max }, 6: stats.min && { binary: stats.min } };
}

function columnChunkStruct(chunk: ColumnChunkMeta): ThriftStruct {
  const meta: ThriftStruct = {
    1: { i32: chunk.type },
    2: { list: "i32", items: chunk.encodings },
    3: { list: "binary", items: [chunk.path] },
    4: { i32: chunk.codec },
    5: { i64: chunk.numValues },
    6: { i64: chunk.uncompressedSize },
    7: { i64: chunk.compressedSize },
    9: { i64: chunk.dataPageOffset },
    11: chunk.dictionaryPageOffset === undefined ? undefined : { i64: chunk.dictionaryPageOffset },
    12: { struct: statisticsStruct(chunk.statistics) },
  };
  return { 2: { i64: chunk.dictionaryPageOffset ?? chunk.dataPageOffset }, 3: { struct: meta } };
}

function rowGroupStruct(group: RowGroupMeta): ThriftStruct {
  const sorting = group.sortingColumns.map((index) => ({ 1: { i32: index }, 2: { bool: false }, 3: { bool: false } }));
  return {
    1: { list: "struct", items: group.columns.map(columnChunkStruct) },
    2: { i64: group.totalByteSize },
    3: { i64: group.numRows },
    4: sorting.length ? { list: "struct", items: sorting } : undefined,
    5: { i64: group.fileOffset },
    6: { i64: group.totalCompressedSize },
  };
}

/** The footer: FileMetaData, with TYPE_ORDER column orders so readers trust min_value/max_value. */
export function writeFileMetadata(writer: ByteWriter, file: FileMeta): void {
  const leaves = file.schema.length - 1;
  writeStruct(writer, {
    1: { i32: 1 },
    2: { list: "struct", items: file.schema },
    3: { i64: file.numRows },
    4: { list: "struct", items: file.rowGroups.map(rowGroupStruct) },
    5: { list: "struct", items: Object.entries(file.keyValue).map(([key, value]) => ({ 1: { binary: key }, 2: { binary: value } })) },
    6: { binary: file.createdBy },
    7: { list: "struct", items: Array.from({ length: leaves }, () => ({ 1: { struct: {} } })) },
  });
}
