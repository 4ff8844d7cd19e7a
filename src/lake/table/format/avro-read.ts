import type { AvroRecord, AvroType, AvroValue } from "./avro-schema";
import { AVRO_MAGIC } from "./avro-write";

const decoder = new TextDecoder();

/** A cursor over Avro binary data. */
class AvroReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  long(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.offset >= this.bytes.byteLength) throw new Error("Avro data ends inside a number");
      const byte = this.bytes[this.offset++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.offset + length > this.bytes.byteLength) throw new Error("Avro data ends inside a value");
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  value(type: AvroType): AvroValue {
    if (Array.isArray(type)) return this.value(type[this.long()] ?? fail("union branch out of range"));
    if (typeof type === "object") return this.complex(type);
    if (type === "null") return null;
    if (type === "boolean") return this.take(1)[0] === 1;
    if (type === "int" || type === "long") return this.long();
    if (type === "string") return decoder.decode(this.take(this.long()));
    if (type === "bytes") return this.take(this.long()).slice();
    return fail(`unsupported Avro type ${JSON.stringify(type)}`);
  }

  complex(type: Exclude<AvroType, string | AvroType[]>): AvroValue {
    if (type.type === "record") return Object.fromEntries(type.fields.map((f) => [f.name, this.value(f.type)]));
    const isArray = type.type === "array";
    const items: AvroValue[] = [];
    const map: Record<string, AvroValue> = {};
    for (let count = this.long(); count !== 0; count = this.long()) {
      // A negative count is followed by the block's byte size, which we do not need.
      if (count < 0) (count = -count), this.long();
      for (let i = 0; i < count; i++) {
        if (isArray) items.push(this.value(type.items));
        else map[decoder.decode(this.take(this.long()))] = this.value(type.values);
      }
    }
    return isArray ? items : map;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

export interface AvroFile {
  schema: AvroRecord;
  metadata: Record<string, string>;
  records: Record<string, AvroValue>[];
}

/** Decodes an object container file with the writer's schema (codec null; deflate via DecompressionStream). */
export async function readAvroFile(bytes: Uint8Array): Promise<AvroFile> {
  if (!AVRO_MAGIC.every((b, i) => bytes[i] === b)) throw new Error("not an Avro object container file");
  const reader = new AvroReader(bytes);
  reader.offset = AVRO_MAGIC.byteLength;
  const header = reader.value({ type: "map", values: "bytes" }) as Record<string, Uint8Array>;
  const metadata = Object.fromEntries(Object.entries(header).map(([k, v]) => [k, decoder.decode(v)]));
  const schema = JSON.parse(metadata["avro.schema"] ?? fail("Avro file without a schema")) as AvroRecord;
  const codec = metadata["avro.codec"] ?? "null";
  if (codec !== "null" && codec !== "deflate") fail(`unsupported Avro codec ${codec}`);
  const sync = reader.take(16);
  const records: Record<string, AvroValue>[] = [];
  while (reader.offset < bytes.byteLength) {
    const count = reader.long();
    let block = reader.take(reader.long());
    if (codec === "deflate") block = await inflateRaw(block);
    const blockReader = new AvroReader(block);
    for (let i = 0; i < count; i++) records.push(blockReader.value(schema) as Record<string, AvroValue>);
    if (!reader.take(16).every((b, i) => b === sync[i])) fail("Avro sync marker mismatch");
  }
  return { schema, metadata, records };
}

async function inflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
