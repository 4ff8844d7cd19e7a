import { ByteWriter } from "./byte-writer";

/** Thrift compact-protocol type ids (the Parquet footer and page headers use this protocol). */
const T = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

const encoder = new TextEncoder();

/** A field value: the struct writers below say which thrift type each field has. */
export type ThriftField =
  | { i32: number }
  | { i64: number }
  | { bool: boolean }
  | { binary: Uint8Array | string }
  | { struct: ThriftStruct }
  | { list: "i32"; items: number[] }
  | { list: "binary"; items: string[] }
  | { list: "struct"; items: ThriftStruct[] };

/** Field id → value; undefined fields are skipped (thrift optionals). */
export type ThriftStruct = Record<number, ThriftField | undefined>;

const zigzag = (v: number) => (v >= 0 ? v * 2 : -v * 2 - 1);

function writeFieldHeader(writer: ByteWriter, id: number, last: number, type: number): void {
  const delta = id - last;
  if (delta > 0 && delta <= 15) writer.appendUint8((delta << 4) | type);
  else {
    writer.appendUint8(type);
    writer.appendVarint(zigzag(id));
  }
}

function writeBinary(writer: ByteWriter, value: Uint8Array | string): void {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  writer.appendVarint(bytes.byteLength);
  writer.appendBytes(bytes);
}

function writeListHeader(writer: ByteWriter, size: number, type: number): void {
  if (size < 15) writer.appendUint8((size << 4) | type);
  else {
    writer.appendUint8(0xf0 | type);
    writer.appendVarint(size);
  }
}

function writeList(writer: ByteWriter, field: Extract<ThriftField, { list: string }>): void {
  if (field.list === "i32") {
    writeListHeader(writer, field.items.length, T.I32);
    for (const item of field.items) writer.appendVarint(zigzag(item));
  } else if (field.list === "binary") {
    writeListHeader(writer, field.items.length, T.BINARY);
    for (const item of field.items) writeBinary(writer, item);
  } else {
    writeListHeader(writer, field.items.length, T.STRUCT);
    for (const item of field.items) writeStruct(writer, item);
  }
}

/** Writes one struct in compact protocol, fields in ascending id order, then the stop byte. */
export function writeStruct(writer: ByteWriter, struct: ThriftStruct): void {
  let last = 0;
  const ids = Object.keys(struct).map(Number).sort((a, b) => a - b);
  for (const id of ids) {
    const field = struct[id];
    if (field === undefined) continue;
    if ("bool" in field) writeFieldHeader(writer, id, last, field.bool ? T.TRUE : T.FALSE);
    else if ("i32" in field) (writeFieldHeader(writer, id, last, T.I32), writer.appendVarint(zigzag(field.i32)));
    else if ("i64" in field) (writeFieldHeader(writer, id, last, T.I64), writer.appendVarint(zigzag(field.i64)));
    else if ("binary" in field) (writeFieldHeader(writer, id, last, T.BINARY), writeBinary(writer, field.binary));
    else if ("struct" in field) (writeFieldHeader(writer, id, last, T.STRUCT), writeStruct(writer, field.struct));
    else (writeFieldHeader(writer, id, last, T.LIST), writeList(writer, field));
    last = id;
  }
  writer.appendUint8(0);
}
