import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import type { KeyValue, RowGroup } from "hyparquet";

type SortingColumn = NonNullable<RowGroup["sorting_columns"]>[number];
import { schemaElement, type ColumnSpec, type ColumnValue } from "./column-spec";
import { writeColumnChunk } from "./write-column-chunk";

export interface ParquetInput {
  columns: ColumnSpec[];
  /** Column-major data: `data[i]` holds the values of `columns[i]`, one per row. */
  data: ColumnValue[][];
  rowGroupRows?: number;
  sortedBy?: string[];
  metadata?: Record<string, string>;
}

const MAGIC = new TextEncoder().encode("PAR1");
const CREATED_BY = "milk-telemetry-lake parquet writer (v1 pages)";

/**
 * Encodes a flat Parquet file: v1 data pages, Snappy, statistics on every column,
 * dictionary pages for repeated strings. Returns the whole file in memory.
 */
export function writeParquet({ columns, data, rowGroupRows = 100_000, sortedBy = [], metadata = {} }: ParquetInput): Uint8Array {
  const rows = data[0]?.length ?? 0;
  const writer = new ByteWriter();
  writer.appendBytes(MAGIC);
  const sorting_columns: SortingColumn[] = sortedBy.map((name) => ({
    column_idx: columns.findIndex((c) => c.name === name),
    descending: false,
    nulls_first: false,
  }));
  const row_groups: RowGroup[] = [];
  for (let start = 0; start < Math.max(rows, 1); start += rowGroupRows) {
    const file_offset = BigInt(writer.offset);
    const chunks = columns.map((spec, i) => writeColumnChunk(writer, spec, data[i]!.slice(start, start + rowGroupRows)));
    const total = chunks.reduce((n, c) => n + c.meta_data!.total_uncompressed_size, 0n);
    row_groups.push({
      columns: chunks,
      total_byte_size: total,
      num_rows: BigInt(Math.min(rowGroupRows, rows - start)),
      file_offset,
      total_compressed_size: BigInt(writer.offset) - file_offset,
      ...(sorting_columns.length && { sorting_columns }),
    });
  }
  const key_value_metadata: KeyValue[] = Object.entries(metadata).map(([key, value]) => ({ key, value }));
  const schema = [{ name: "schema", num_children: columns.length }, ...columns.map(schemaElement)];
  writeMetadata(writer, { version: 1, schema, num_rows: BigInt(rows), row_groups, key_value_metadata, created_by: CREATED_BY, metadata_length: 0 });
  writer.appendBytes(MAGIC);
  return writer.getBytes();
}
