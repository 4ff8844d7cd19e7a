import type { ByteWriter } from "hyparquet-writer/src/bytewriter.js";

const BLOCK = 128;
const MINIBLOCKS = 4;
const PER_MINIBLOCK = BLOCK / MINIBLOCKS;

/** Unsigned LEB128 of a non-negative safe integer, with Number math (no 32-bit truncation). */
function writeVarint(writer: ByteWriter, value: number): void {
  let v = value;
  while (v >= 0x80) {
    writer.appendUint8((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  writer.appendUint8(v);
}

const zigzag = (v: number) => (v >= 0 ? v * 2 : -v * 2 - 1);

function bitWidth(max: number): number {
  let width = 0;
  while (width < 53 && 2 ** width <= max) width++;
  return width;
}

/** Packs 32 values of `width` bits, least significant bit first, as the spec's bit-packing. */
function packMiniblock(writer: ByteWriter, values: number[], width: number): void {
  const out = new Uint8Array(width * 4);
  let bit = 0;
  for (let i = 0; i < PER_MINIBLOCK; i++) {
    let v = values[i] ?? 0;
    let remaining = width;
    while (remaining > 0) {
      const byte = bit >> 3;
      const offset = bit & 7;
      const take = Math.min(8 - offset, remaining);
      const chunk = v % 2 ** take;
      out[byte]! |= chunk << offset;
      v = Math.floor(v / 2 ** take);
      bit += take;
      remaining -= take;
    }
  }
  writer.appendBytes(out);
}

/** True when every value and every delta is a safe integer, so Number math is exact. */
export function fitsNumberDelta(values: number[]): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isSafeInteger(values[i])) return false;
    if (i > 0 && Math.abs(values[i]! - values[i - 1]!) > Number.MAX_SAFE_INTEGER / 4) return false;
  }
  return true;
}

/**
 * DELTA_BINARY_PACKED for integers (INT32 or INT64) held as JS numbers: the
 * BigInt-free path for epoch-millisecond timestamps. Check `fitsNumberDelta` first.
 */
export function writeDeltaBinaryPacked(writer: ByteWriter, values: number[]): void {
  writeVarint(writer, BLOCK);
  writeVarint(writer, MINIBLOCKS);
  writeVarint(writer, values.length);
  writeVarint(writer, zigzag(values[0] ?? 0));
  const deltas = new Array<number>(BLOCK);
  const adjusted = new Array<number>(PER_MINIBLOCK);
  for (let start = 1; start < values.length; start += BLOCK) {
    const count = Math.min(BLOCK, values.length - start);
    let minDelta = Infinity;
    for (let i = 0; i < count; i++) {
      deltas[i] = values[start + i]! - values[start + i - 1]!;
      if (deltas[i]! < minDelta) minDelta = deltas[i]!;
    }
    writeVarint(writer, zigzag(minDelta));
    const widths = new Uint8Array(MINIBLOCKS);
    for (let m = 0; m < MINIBLOCKS; m++) {
      let max = 0;
      for (let i = m * PER_MINIBLOCK; i < Math.min(count, (m + 1) * PER_MINIBLOCK); i++) max = Math.max(max, deltas[i]! - minDelta);
      widths[m] = m * PER_MINIBLOCK < count ? bitWidth(max) : 0;
    }
    writer.appendBytes(widths);
    for (let m = 0; m < MINIBLOCKS && m * PER_MINIBLOCK < count; m++) {
      for (let i = 0; i < PER_MINIBLOCK; i++) {
        const at = m * PER_MINIBLOCK + i;
        adjusted[i] = at < count ? deltas[at]! - minDelta : 0;
      }
      if (widths[m]) packMiniblock(writer, adjusted, widths[m]!);
    }
  }
}
