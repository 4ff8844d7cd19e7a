import type { ByteWriter } from "./byte-writer";

/** A repeat this long is cheaper as one RLE run than bit-packed. */
const MIN_RUN = 8;

function runLength(values: number[], start: number): number {
  let end = start + 1;
  while (end < values.length && values[end] === values[start]) end++;
  return end - start;
}

function writeRun(writer: ByteWriter, value: number, count: number, width: number): void {
  writer.appendVarint(count * 2);
  for (let b = 0; b < Math.ceil(width / 8); b++) writer.appendUint8(Math.floor(value / 2 ** (8 * b)) & 0xff);
}

/** Bit-packs `values[start, end)` (a multiple of 8, or up to the end) least significant bit first. */
function writeBitPacked(writer: ByteWriter, values: number[], start: number, end: number, width: number): void {
  const groups = Math.ceil((end - start) / 8);
  writer.appendVarint(groups * 2 + 1);
  let acc = 0;
  let bits = 0;
  for (let i = start; i < start + groups * 8; i++) {
    acc += (i < end ? values[i]! : 0) * 2 ** bits;
    bits += width;
    while (bits >= 8) {
      writer.appendUint8(acc & 0xff);
      acc = Math.floor(acc / 256);
      bits -= 8;
    }
  }
}

/**
 * RLE / bit-packing hybrid (parquet-format Encodings.md) for definition levels and dictionary
 * indexes: runs of ≥ 8 equal values as RLE, the rest bit-packed in whole groups of 8 so that
 * padding only ever appears after the last value.
 */
export function writeRleBitPackedHybrid(writer: ByteWriter, values: number[], width: number): void {
  let i = 0;
  while (i < values.length) {
    const run = runLength(values, i);
    if (run >= MIN_RUN) {
      writeRun(writer, values[i]!, run, width);
      i += run;
      continue;
    }
    let end = i;
    while (end < values.length && (end === i || runLength(values, end) < MIN_RUN)) end += 8;
    end = Math.min(end, values.length);
    writeBitPacked(writer, values, i, end, width);
    i = end;
  }
}
