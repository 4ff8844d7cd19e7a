/** A growable little-endian byte buffer: the one primitive the Parquet writer builds on. */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  offset = 0;

  private ensure(extra: number): void {
    if (this.offset + extra <= this.buffer.byteLength) return;
    let size = this.buffer.byteLength * 2;
    while (size < this.offset + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.offset));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  appendUint8(value: number): void {
    this.ensure(1);
    this.buffer[this.offset++] = value;
  }

  appendBytes(bytes: Uint8Array): void {
    this.ensure(bytes.byteLength);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.byteLength;
  }

  appendInt32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.offset, value, true);
    this.offset += 4;
  }

  /** INT64 from a safe integer, as two 32-bit halves (no BigInt per value). */
  appendInt64(value: number): void {
    this.ensure(8);
    const high = Math.floor(value / 2 ** 32);
    this.view.setUint32(this.offset, value - high * 2 ** 32, true);
    this.view.setInt32(this.offset + 4, high, true);
    this.offset += 8;
  }

  appendFloat64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.offset, value, true);
    this.offset += 8;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53 (Number math, no 32-bit truncation). */
  appendVarint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.appendUint8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.appendUint8(v);
  }

  /** A copy of the bytes written so far. */
  getBytes(): Uint8Array {
    return this.buffer.slice(0, this.offset);
  }
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
