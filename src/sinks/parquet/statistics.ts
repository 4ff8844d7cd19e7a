import type { ColumnKind, ColumnValue } from "./column-spec";
import { compareUtf8 } from "./compare-utf8";
import { encodePlain } from "./encode-values";
import type { Statistics } from "./parquet-format";

const encoder = new TextEncoder();

/** Strings in UTF-8 byte order; numbers ignoring NaN (the spec: NaN must not be a bound). */
function bounds(kind: ColumnKind, nonNull: ColumnValue[]): [ColumnValue, ColumnValue] | null {
  let min: ColumnValue | undefined;
  let max: ColumnValue | undefined;
  if (kind === "string") {
    for (const v of nonNull as string[]) {
      if (min === undefined || compareUtf8(v, min as string) < 0) min = v;
      if (max === undefined || compareUtf8(v, max as string) > 0) max = v;
    }
  } else if (kind === "boolean") {
    for (const v of nonNull as boolean[]) ((min = min === undefined ? v : min && v), (max = max === undefined ? v : max || v));
  } else {
    for (const v of nonNull as number[]) {
      if (Number.isNaN(v)) continue;
      if (min === undefined || v < (min as number)) min = v;
      if (max === undefined || v > (max as number)) max = v;
    }
  }
  return min === undefined || max === undefined ? null : [min, max];
}

function encodeBound(kind: ColumnKind, value: ColumnValue): Uint8Array {
  return kind === "string" ? encoder.encode(value as string) : encodePlain(kind, [value]);
}

/**
 * Column chunk statistics in Parquet's orderings: min/max over strings by unsigned UTF-8
 * bytes; for doubles a zero minimum is written as -0.0 and a zero maximum as +0.0, so
 * readers that prune with either zero keep the rows (parquet-format's rules for floats).
 */
export function columnStatistics(kind: ColumnKind, rowCount: number, nonNull: ColumnValue[]): Statistics {
  const stats: Statistics = { nullCount: rowCount - nonNull.length };
  const found = bounds(kind, nonNull);
  if (!found) return stats;
  let [min, max] = found;
  if (kind === "double" && min === 0) min = -0;
  if (kind === "double" && max === 0) max = 0;
  return { ...stats, min: encodeBound(kind, min), max: encodeBound(kind, max) };
}
