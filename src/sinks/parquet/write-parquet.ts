import { ByteWriter, concatBytes } from "./byte-writer";
import { rootElement, schemaElement, type ColumnSpec, type ColumnValue } from "./column-spec";
import { writeFileMetadata, type RowGroupMeta } from "./parquet-format";
import { writeColumnChunk } from "./write-column-chunk";

export interface ParquetOptions {
  columns: ColumnSpec[];
  sortedBy?: string[];
  metadata?: Record<string, string>;
}

export interface ParquetInput extends ParquetOptions {
  /** Column-major data: `data[i]` holds the values of `columns[i]`, one per row. */
  data: ColumnValue[][];
  rowGroupRows?: number;
}

/**
 * A Parquet file written piece by piece, so a caller can stream it (for example as R2
 * multipart parts) without holding the file: `start()`, then `writeRowGroup()` per row
 * group, then `finish()`. Concatenating every returned chunk in order gives the file.
 * Only the footer's per-row-group metadata is kept between calls.
 */
export interface ParquetStreamWriter {
  start(): Uint8Array;
  writeRowGroup(data: ColumnValue[][]): Promise<Uint8Array>;
  finish(): Uint8Array;
  /** Bytes returned so far (the offset the next chunk starts at). */
  readonly bytesWritten: number;
  readonly rowsWritten: number;
}

const MAGIC = new TextEncoder().encode("PAR1");
/** parquet-java parses `<name> version <semver> (build <id>)`; anything else it treats as unknown. */
export const CREATED_BY = "milk-telemetry-lake version 2.0.0 (build lake-writer-v1-pages)";

export function createParquetWriter({ columns, sortedBy = [], metadata = {} }: ParquetOptions): ParquetStreamWriter {
  const sortingColumns = sortedBy.map((name) => columns.findIndex((c) => c.name === name));
  const rowGroups: RowGroupMeta[] = [];
  let offset = 0;
  let rows = 0;
  const emit = (bytes: Uint8Array) => ((offset += bytes.byteLength), bytes);
  return {
    get bytesWritten() {
      return offset;
    },
    get rowsWritten() {
      return rows;
    },
    start: () => emit(MAGIC),
    async writeRowGroup(data) {
      const count = data[0]?.length ?? 0;
      // Columns compress concurrently (CompressionStream runs off the JS thread); offsets are fixed up after.
      const chunks = await Promise.all(columns.map((spec, i) => writeColumnChunk(spec, data[i]!)));
      const group: RowGroupMeta = { columns: [], numRows: count, fileOffset: offset, totalByteSize: 0, totalCompressedSize: 0, sortingColumns };
      for (const { bytes, meta } of chunks) {
        const base = offset + group.totalCompressedSize;
        const dictionaryPageOffset = meta.dictionaryPageOffset === undefined ? undefined : base + meta.dictionaryPageOffset;
        group.columns.push({ ...meta, dataPageOffset: base + meta.dataPageOffset, dictionaryPageOffset });
        group.totalByteSize += meta.uncompressedSize;
        group.totalCompressedSize += bytes.byteLength;
      }
      rowGroups.push(group);
      rows += count;
      return emit(concatBytes(chunks.map((c) => c.bytes)));
    },
    finish() {
      const writer = new ByteWriter();
      const schema = [rootElement(columns), ...columns.map(schemaElement)];
      writeFileMetadata(writer, { schema, numRows: rows, rowGroups, keyValue: metadata, createdBy: CREATED_BY });
      writer.appendInt32(writer.offset);
      writer.appendBytes(MAGIC);
      return emit(writer.getBytes());
    },
  };
}

/** Encodes a whole flat Parquet file in memory (small files: batch files, tests). */
export async function writeParquet({ data, rowGroupRows = 100_000, ...options }: ParquetInput): Promise<Uint8Array> {
  const writer = createParquetWriter(options);
  const parts = [writer.start()];
  const rows = data[0]?.length ?? 0;
  for (let start = 0; start < Math.max(rows, 1); start += rowGroupRows) {
    parts.push(await writer.writeRowGroup(data.map((column) => column.slice(start, start + rowGroupRows))));
  }
  parts.push(writer.finish());
  return concatBytes(parts);
}
