import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import type { KeyValue, RowGroup } from "hyparquet";
import { schemaElement, type ColumnSpec, type ColumnValue } from "./column-spec";
import { writeColumnChunk } from "./write-column-chunk";

type SortingColumn = NonNullable<RowGroup["sorting_columns"]>[number];

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
const CREATED_BY = "milk-telemetry-lake parquet writer (v1 pages)";

export function createParquetWriter({ columns, sortedBy = [], metadata = {} }: ParquetOptions): ParquetStreamWriter {
  const sorting_columns: SortingColumn[] = sortedBy.map((name) => ({
    column_idx: columns.findIndex((c) => c.name === name),
    descending: false,
    nulls_first: false,
  }));
  const row_groups: RowGroup[] = [];
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
      const writer = new ByteWriter();
      const chunks = columns.map((spec, i) => writeColumnChunk(writer, spec, data[i]!, offset));
      const total = chunks.reduce((n, c) => n + c.meta_data!.total_uncompressed_size, 0n);
      row_groups.push({
        columns: chunks,
        total_byte_size: total,
        num_rows: BigInt(count),
        file_offset: BigInt(offset),
        total_compressed_size: BigInt(writer.offset),
        ...(sorting_columns.length && { sorting_columns }),
      });
      rows += count;
      return emit(writer.getBytes());
    },
    finish() {
      const writer = new ByteWriter();
      const key_value_metadata: KeyValue[] = Object.entries(metadata).map(([key, value]) => ({ key, value }));
      const schema = [{ name: "schema", num_children: columns.length }, ...columns.map(schemaElement)];
      writeMetadata(writer, { version: 1, schema, num_rows: BigInt(rows), row_groups, key_value_metadata, created_by: CREATED_BY, metadata_length: 0 });
      writer.appendBytes(MAGIC);
      return emit(writer.getBytes());
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
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
  return concat(parts);
}
