import type { SchemaElement } from "hyparquet";

/** The value kinds our lake uses; each maps to one Parquet physical + logical type. */
export type ColumnKind = "string" | "timestamp_ms" | "int64" | "int32" | "double" | "boolean";

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  required: boolean;
}

export type ColumnValue = string | number | boolean | null;

/** Schema element per kind: UTF8 strings, INT64 TIMESTAMP(MILLIS, UTC), plain numerics. */
export function schemaElement(spec: ColumnSpec): SchemaElement {
  const repetition_type = spec.required ? "REQUIRED" : "OPTIONAL";
  switch (spec.kind) {
    case "string":
      return { name: spec.name, repetition_type, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } };
    case "timestamp_ms":
      return {
        name: spec.name,
        repetition_type,
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
      };
    case "int64":
      return { name: spec.name, repetition_type, type: "INT64" };
    case "int32":
      return { name: spec.name, repetition_type, type: "INT32" };
    case "double":
      return { name: spec.name, repetition_type, type: "DOUBLE" };
    case "boolean":
      return { name: spec.name, repetition_type, type: "BOOLEAN" };
  }
}
