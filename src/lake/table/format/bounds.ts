import { HOUR_MS, partitionEndMs } from "../../keys";

/**
 * Iceberg's single-value binary form (format/spec.md, Appendix D) for the values we bound:
 * int as 4 bytes and long/timestamptz (microseconds) as 8 bytes, little-endian.
 */
export function intBytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}

export function longBytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value, true);
  return bytes;
}

/** A timestamptz bound: epoch ms as microseconds (BigInt: year-9999 microseconds exceed 2^53). */
export const timestampBytes = (ms: number) => longBytes(BigInt(ms) * 1000n);

export const readInt = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true);
export const readLong = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);

/** hour(created_at) of a lake partition `dt=YYYY-MM-DD/hour=HH`: hours since the epoch. */
export const partitionHour = (partition: string) => partitionEndMs(partition) / HOUR_MS - 1;

/**
 * created_at bounds in epoch ms: the exact range when known, else the hour itself (every
 * row of a lake file lies in its hour, so those bounds hold). Refuses a range outside the hour:
 * the partition value must describe the file's contents.
 */
export function createdAtBounds(partition: string, range?: { min: number; max: number }): { lower: number; upper: number } {
  const start = partitionHour(partition) * HOUR_MS;
  const end = start + HOUR_MS - 1;
  const [min, max] = range ? [range.min, range.max] : [start, end];
  if (min < start || max > end || min > max) throw new RangeError(`created_at ${min}…${max} is not inside ${partition}`);
  return { lower: min, upper: max };
}
