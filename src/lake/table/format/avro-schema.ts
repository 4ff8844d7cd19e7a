/** The subset of Avro schemas Iceberg's manifests and manifest lists use. */
export type AvroPrimitive = "null" | "boolean" | "int" | "long" | "bytes" | "string";
export interface AvroField {
  name: string;
  type: AvroType;
  /** Iceberg requires the field id of every field in manifest and manifest-list schemas. */
  "field-id": number;
  doc?: string;
  default?: null;
}
export interface AvroRecord {
  type: "record";
  name: string;
  fields: AvroField[];
}
export interface AvroArray {
  type: "array";
  items: AvroType;
  "element-id"?: number;
  /** Iceberg writes maps with non-string keys as arrays of key/value records. */
  logicalType?: "map";
}
export interface AvroMap {
  type: "map";
  values: AvroType;
}
export type AvroType = AvroPrimitive | AvroRecord | AvroArray | AvroMap | AvroType[];

/** A value our encoder accepts and our decoder returns: records are plain objects, null is null. */
export type AvroValue = null | boolean | number | string | Uint8Array | AvroValue[] | { [name: string]: AvroValue };

/** ["null", T]: an optional field. */
export const optional = (type: AvroType): AvroType[] => ["null", type];

/** The union branch a value takes: null picks "null", anything else the first other branch. */
export function unionBranch(union: AvroType[], value: AvroValue): number {
  const index = value === null ? union.indexOf("null") : union.findIndex((t) => t !== "null");
  if (index < 0) throw new Error(`no union branch for ${value === null ? "null" : typeof value}`);
  return index;
}
