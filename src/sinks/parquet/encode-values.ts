import { ByteWriter } from "./byte-writer";
import type { ColumnKind, ColumnValue } from "./column-spec";
import { writeRleBitPackedHybrid } from "./rle-hybrid";

const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The string exactly as its stored UTF-8 bytes decode: TextEncoder writes a lone surrogate as
 * U+FFFD, so dictionary keys, statistics and sort order are computed on what readers will see.
 */
export function toWellFormed(value: string): string {
  return LONE_SURROGATE.test(value) ? value.replace(new RegExp(LONE_SURROGATE, "g"), "\uFFFD") : value;
}

const NEGATIVE_ZERO = "-0.0";

export interface Dictionary {
  /** Distinct values in first-seen order (the dictionary page). */
  values: ColumnValue[];
  /** Per non-null value, its index in `values`. */
  indexes: number[];
}

/**
 * A dictionary pays off for repeated values: strings repeated at least twice on
 * average (driver, trip, geofence ids) and numbers repeated eight times (accuracy
 * steps). Unique values (event ids, coordinates) bail out early and stay PLAIN.
 */
export function buildDictionary(kind: ColumnKind, values: ColumnValue[]): Dictionary | null {
  if (kind === "boolean" || values.length === 0) return null;
  const limit = kind === "string" ? values.length / 2 : values.length / 8;
  const positions = new Map<ColumnValue, number>();
  const distinct: ColumnValue[] = [];
  const indexes: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const key = Object.is(value, -0) ? NEGATIVE_ZERO : value; // a Map would merge -0.0 into +0.0
    let index = positions.get(key);
    if (index === undefined) {
      if (positions.size >= limit) return null;
      index = positions.size;
      positions.set(key, index);
      distinct.push(value);
    }
    indexes[i] = index;
  }
  return { values: distinct, indexes };
}

/** Data page body of a dictionary-encoded page: bit width byte, then RLE hybrid indexes. */
export function encodeDictionaryIndexes(indexes: number[], dictionarySize: number): Uint8Array {
  const writer = new ByteWriter();
  const bitWidth = Math.max(1, Math.ceil(Math.log2(dictionarySize)));
  writer.appendUint8(bitWidth);
  writeRleBitPackedHybrid(writer, indexes, bitWidth);
  return writer.getBytes();
}

/** PLAIN byte arrays: 4-byte little-endian length, then UTF-8, written in one buffer. */
function encodePlainStrings(values: string[]): Uint8Array {
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

/** Booleans PLAIN: one bit each, least significant bit first. */
function encodePlainBooleans(values: boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** PLAIN values in the column's physical type (data pages and the dictionary page). */
export function encodePlain(kind: ColumnKind, values: ColumnValue[]): Uint8Array {
  if (kind === "string") return encodePlainStrings(values as string[]);
  if (kind === "boolean") return encodePlainBooleans(values as boolean[]);
  const writer = new ByteWriter();
  if (kind === "double") for (const v of values as number[]) writer.appendFloat64(v);
  else if (kind === "int32") for (const v of values as number[]) writer.appendInt32(v);
  else for (const v of values as number[]) writer.appendInt64(v);
  return writer.getBytes();
}

/** Definition levels for an OPTIONAL flat column, v1 style: 4-byte length + RLE hybrid. */
export function encodeDefinitionLevels(values: ColumnValue[]): Uint8Array {
  const levels = new ByteWriter();
  const flags = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) flags[i] = values[i] === null ? 0 : 1;
  levels.appendInt32(0);
  writeRleBitPackedHybrid(levels, flags, 1);
  const out = levels.getBytes();
  new DataView(out.buffer).setUint32(0, out.byteLength - 4, true);
  return out;
}
