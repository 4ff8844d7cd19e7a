import { PhysicalType } from "./parquet-format";
import type { ThriftStruct } from "./thrift-compact";

/** The value kinds our lake uses; each maps to one Parquet physical + logical type. */
export type ColumnKind = "string" | "timestamp_ms" | "int64" | "int32" | "double" | "boolean";

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  required: boolean;
  /** Iceberg field id, written as the SchemaElement's field_id so engines map columns by id, not name. */
  fieldId?: number;
}

export type ColumnValue = string | number | boolean | null;

export const PHYSICAL_TYPE: Record<ColumnKind, number> = {
  string: PhysicalType.BYTE_ARRAY,
  timestamp_ms: PhysicalType.INT64,
  int64: PhysicalType.INT64,
  int32: PhysicalType.INT32,
  double: PhysicalType.DOUBLE,
  boolean: PhysicalType.BOOLEAN,
};

const UTF8 = 0;
const TIMESTAMP_MILLIS = 9;

/**
 * SchemaElement per kind: UTF8/STRING strings and INT64 TIMESTAMP(MILLIS, UTC) with both the
 * legacy converted type and the logical type, so readers with either understand them; field_id
 * (9) when the spec carries one.
 */
export function schemaElement(spec: ColumnSpec): ThriftStruct {
  const element: ThriftStruct = {
    1: { i32: PHYSICAL_TYPE[spec.kind] },
    3: { i32: spec.required ? 0 : 1 },
    4: { binary: spec.name },
    9: spec.fieldId === undefined ? undefined : { i32: spec.fieldId },
  };
  if (spec.kind === "string") Object.assign(element, { 6: { i32: UTF8 }, 10: { struct: { 1: { struct: {} } } } });
  if (spec.kind === "timestamp_ms") {
    const timestamp = { 1: { bool: true }, 2: { struct: { 1: { struct: {} } } } };
    Object.assign(element, { 6: { i32: TIMESTAMP_MILLIS }, 10: { struct: { 8: { struct: timestamp } } } });
  }
  return element;
}

export function rootElement(columns: ColumnSpec[]): ThriftStruct {
  return { 4: { binary: "schema" }, 5: { i32: columns.length } };
}
