import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { deltaBinaryPack, deltaByteArray } from "hyparquet-writer/src/delta.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writePlain } from "hyparquet-writer/src/plain.js";
import { writeByteStreamSplit } from "hyparquet-writer/src/splitstream.js";
import type { Encoding } from "hyparquet";
import type { ColumnKind, ColumnValue } from "./column-spec";
import { fitsNumberDelta, writeDeltaBinaryPacked } from "./delta-binary-packed";

const encoder = new TextEncoder();

export interface EncodedValues {
  encoding: Encoding;
  bytes: Uint8Array;
}

export interface Dictionary {
  /** Distinct values in first-seen order (the dictionary page). */
  values: ColumnValue[];
  /** Per non-null value, its index in `values`. */
  indexes: number[];
}

/**
 * A dictionary pays off for repeated values: strings repeated at least twice on
 * average (driver, trip, geofence ids) and numbers repeated eight times (accuracy
 * steps). Unique values (event ids, coordinates) bail out early and stay un-dictionaried.
 */
export function buildDictionary(kind: ColumnKind, values: ColumnValue[]): Dictionary | null {
  if (kind === "boolean" || values.length === 0) return null;
  const limit = kind === "string" ? values.length / 2 : values.length / 8;
  const positions = new Map<ColumnValue, number>();
  const indexes: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let index = positions.get(value);
    if (index === undefined) {
      if (positions.size >= limit) return null;
      index = positions.size;
      positions.set(value, index);
    }
    indexes[i] = index;
  }
  return { values: [...positions.keys()], indexes };
}

export function encodeDictionaryIndexes(indexes: number[], dictionarySize: number): Uint8Array {
  const writer = new ByteWriter();
  const bitWidth = Math.max(1, Math.ceil(Math.log2(dictionarySize)));
  writer.appendUint8(bitWidth);
  writeRleBitPackedHybrid(writer, indexes, bitWidth);
  return writer.getBytes();
}

/** PLAIN byte arrays: 4-byte little-endian length, then UTF-8, written in one buffer. */
export function encodePlainStrings(values: string[]): Uint8Array {
  let bound = 0;
  for (const v of values) bound += 4 + v.length * 3;
  const out = new Uint8Array(bound);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const v of values) {
    const { written } = encoder.encodeInto(v, out.subarray(offset + 4));
    view.setUint32(offset, written, true);
    offset += 4 + written;
  }
  return out.subarray(0, offset);
}

/** PLAIN values of the dictionary page, in the column's physical type. */
export function encodePlain(kind: ColumnKind, values: ColumnValue[]): Uint8Array {
  if (kind === "string") return encodePlainStrings(values as string[]);
  const writer = new ByteWriter();
  if (kind === "double") writePlain(writer, values as number[], "DOUBLE", undefined);
  else if (kind === "int32") writePlain(writer, values as number[], "INT32", undefined);
  else writePlain(writer, (values as number[]).map((v) => BigInt(v)), "INT64", undefined);
  return writer.getBytes();
}

function encodeDelta(values: number[], type: "INT32" | "INT64"): Uint8Array {
  const writer = new ByteWriter();
  if (fitsNumberDelta(values)) writeDeltaBinaryPacked(writer, values);
  else deltaBinaryPack(writer, type === "INT64" ? values.map((v) => BigInt(v)) : values, type);
  return writer.getBytes();
}

/**
 * Non-dictionary encodings chosen for size: DELTA_BINARY_PACKED for sorted-ish
 * integers and timestamps, BYTE_STREAM_SPLIT for coordinates, bit-packed booleans.
 */
export function encodeValues(kind: ColumnKind, values: ColumnValue[]): EncodedValues {
  switch (kind) {
    case "timestamp_ms":
    case "int64":
      return { encoding: "DELTA_BINARY_PACKED", bytes: encodeDelta(values as number[], "INT64") };
    case "int32":
      return { encoding: "DELTA_BINARY_PACKED", bytes: encodeDelta(values as number[], "INT32") };
    case "double": {
      const writer = new ByteWriter();
      writeByteStreamSplit(writer, values as number[], "DOUBLE", undefined);
      return { encoding: "BYTE_STREAM_SPLIT", bytes: writer.getBytes() };
    }
    case "boolean": {
      const writer = new ByteWriter();
      writePlain(writer, values as boolean[], "BOOLEAN", undefined);
      return { encoding: "PLAIN", bytes: writer.getBytes() };
    }
    case "string": {
      // Mostly-unique strings (event ids): sorted rows share prefixes (ObjectId time bytes).
      const writer = new ByteWriter();
      deltaByteArray(writer, (values as string[]).map((v) => encoder.encode(v)));
      return { encoding: "DELTA_BYTE_ARRAY", bytes: writer.getBytes() };
    }
  }
}

/** Definition levels for an OPTIONAL flat column, v1 style: 4-byte length + RLE hybrid. */
export function encodeDefinitionLevels(values: ColumnValue[]): Uint8Array {
  const levels = new ByteWriter();
  const flags = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) flags[i] = values[i] === null ? 0 : 1;
  writeRleBitPackedHybrid(levels, flags, 1);
  const out = new Uint8Array(4 + levels.offset);
  new DataView(out.buffer).setUint32(0, levels.offset, true);
  out.set(levels.getBytes(), 4);
  return out;
}
