import { ByteWriter } from "../../../sinks/parquet/byte-writer";
import { unionBranch, type AvroRecord, type AvroType, type AvroValue } from "./avro-schema";

/** Avro object container files (Avro spec 1.11, "Object Container Files"), codec null. */
export const AVRO_MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]);
const encoder = new TextEncoder();

/** Avro int/long: zigzag then varint; Number math is exact for our |values| below 2^53. */
function writeLong(writer: ByteWriter, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an Avro long we can write exactly: ${value}`);
  writer.appendVarint(value >= 0 ? value * 2 : -value * 2 - 1);
}

function writeBytes(writer: ByteWriter, bytes: Uint8Array): void {
  writeLong(writer, bytes.byteLength);
  writer.appendBytes(bytes);
}

function writeValue(writer: ByteWriter, type: AvroType, value: AvroValue): void {
  if (Array.isArray(type)) {
    const branch = unionBranch(type, value);
    writeLong(writer, branch);
    return writeValue(writer, type[branch]!, value);
  }
  if (typeof type === "object") return writeComplex(writer, type, value);
  if (type === "null") return;
  if (type === "boolean") return writer.appendUint8(value ? 1 : 0);
  if (type === "int" || type === "long") return writeLong(writer, value as number);
  if (type === "string") return writeBytes(writer, encoder.encode(value as string));
  return writeBytes(writer, value as Uint8Array);
}

function writeComplex(writer: ByteWriter, type: Exclude<AvroType, string | AvroType[]>, value: AvroValue): void {
  if (type.type === "record") {
    const record = value as Record<string, AvroValue>;
    for (const field of type.fields) writeValue(writer, field.type, record[field.name] ?? null);
    return;
  }
  const entries: [string | null, AvroValue][] =
    type.type === "array" ? (value as AvroValue[]).map((v) => [null, v]) : Object.entries(value as Record<string, AvroValue>);
  // One block of all items, then the empty block that ends the array or map.
  if (entries.length > 0) writeLong(writer, entries.length);
  for (const [key, item] of entries) {
    if (key !== null) writeBytes(writer, encoder.encode(key));
    writeValue(writer, type.type === "array" ? type.items : type.values, item);
  }
  writeLong(writer, 0);
}

/**
 * One object container file holding `records` in a single block. `metadata` joins avro.schema
 * and avro.codec in the header (Iceberg puts schema, partition-spec, format-version… there).
 */
export function writeAvroFile(schema: AvroRecord, records: AvroValue[], metadata: Record<string, string> = {}): Uint8Array {
  const writer = new ByteWriter();
  writer.appendBytes(AVRO_MAGIC);
  const header = { ...metadata, "avro.schema": JSON.stringify(schema), "avro.codec": "null" };
  writeValue(writer, { type: "map", values: "bytes" }, Object.fromEntries(Object.entries(header).map(([k, v]) => [k, encoder.encode(v)])));
  const sync = crypto.getRandomValues(new Uint8Array(16));
  writer.appendBytes(sync);
  const block = new ByteWriter();
  for (const record of records) writeValue(block, schema, record);
  if (records.length > 0) {
    writeLong(writer, records.length);
    writeBytes(writer, block.getBytes());
    writer.appendBytes(sync);
  }
  return writer.getBytes();
}
