import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { deltaBinaryPack } from "hyparquet-writer/src/delta.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writePlain } from "hyparquet-writer/src/plain.js";
import { writeByteStreamSplit } from "hyparquet-writer/src/splitstream.js";
import type { Encoding } from "hyparquet";
import type { ColumnKind, ColumnValue } from "./column-spec";

const encoder = new TextEncoder();

export interface EncodedValues {
  encoding: Encoding;
  bytes: Uint8Array;
}

export interface Dictionary {
  /** Distinct values in first-seen order (the dictionary page). */
  values: string[];
  /** Per non-null value, its index in `values`. */
  indexes: number[];
}

/** A dictionary pays off for repeated strings; unique ones (ids) stay PLAIN. */
export function buildDictionary(values: string[]): Dictionary | null {
  const positions = new Map<string, number>();
  const indexes: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let index = positions.get(value);
    if (index === undefined) {
      index = positions.size;
      positions.set(value, index);
    }
    indexes[i] = index;
  }
  if (values.length > 0 && positions.size > values.length / 2) return null;
  return { values: [...positions.keys()], indexes };
}

export function encodeDictionaryIndexes(indexes: number[], dictionarySize: number): Uint8Array {
  const writer = new ByteWriter();
  const bitWidth = Math.max(1, Math.ceil(Math.log2(dictionarySize)));
  writer.appendUint8(bitWidth);
  writeRleBitPackedHybrid(writer, indexes, bitWidth);
  return writer.getBytes();
}

export function encodePlainStrings(values: string[]): Uint8Array {
  const writer = new ByteWriter();
  writePlain(writer, values.map((v) => encoder.encode(v)), "BYTE_ARRAY", undefined);
  return writer.getBytes();
}

/**
 * Non-dictionary encodings chosen for size: DELTA_BINARY_PACKED for sorted-ish
 * integers and timestamps, BYTE_STREAM_SPLIT for coordinates, bit-packed booleans.
 */
export function encodeValues(kind: ColumnKind, values: ColumnValue[]): EncodedValues {
  const writer = new ByteWriter();
  switch (kind) {
    case "timestamp_ms":
    case "int64":
      deltaBinaryPack(writer, values.map((v) => BigInt(v as number)), "INT64");
      return { encoding: "DELTA_BINARY_PACKED", bytes: writer.getBytes() };
    case "int32":
      deltaBinaryPack(writer, values as number[], "INT32");
      return { encoding: "DELTA_BINARY_PACKED", bytes: writer.getBytes() };
    case "double":
      writeByteStreamSplit(writer, values as number[], "DOUBLE", undefined);
      return { encoding: "BYTE_STREAM_SPLIT", bytes: writer.getBytes() };
    case "boolean":
      writePlain(writer, values as boolean[], "BOOLEAN", undefined);
      return { encoding: "PLAIN", bytes: writer.getBytes() };
    case "string":
      return { encoding: "PLAIN", bytes: encodePlainStrings(values as string[]) };
  }
}

/** Definition levels for an OPTIONAL flat column, v1 style: 4-byte length + RLE hybrid. */
export function encodeDefinitionLevels(values: ColumnValue[]): Uint8Array {
  const levels = new ByteWriter();
  writeRleBitPackedHybrid(levels, values.map((v) => (v === null ? 0 : 1)), 1);
  const writer = new ByteWriter();
  writer.appendUint32(levels.offset);
  writer.appendBytes(levels.getBytes());
  return writer.getBytes();
}
