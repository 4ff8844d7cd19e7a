import type { Catalog } from "../catalog/catalog";
import { ObjectStoreCatalog } from "../catalog/object-store-catalog";
import { RestCatalog } from "../catalog/rest-catalog";

export interface TableConfig {
  namespace: string;
  name: string;
  /** Name of the lake's R2 bucket: data file paths are `s3://<bucket>/<key>`. */
  bucketName: string;
  /** Snapshots always kept, however old (Iceberg's retain-last). */
  retainSnapshots: number;
  /** Snapshots older than this (and beyond retainSnapshots) are expired, and files only they reference deleted. */
  snapshotMaxAgeMs: number;
  /** An hour can be final only this long after it ended (late data usually arrives before). */
  hourGraceMs: number;
}

/** Vars of docs/deploy.md ("Table"); the token is a secret (`wrangler secret put TABLE_CATALOG_TOKEN`). */
type TableVars = Partial<
  Record<"TABLE_NAMESPACE" | "TABLE_NAME" | "TABLE_CATALOG" | "TABLE_CATALOG_URI" | "TABLE_WAREHOUSE" | "TABLE_CATALOG_TOKEN" | "TABLE_BUCKET_NAME" | "TABLE_RETAIN_SNAPSHOTS" | "TABLE_SNAPSHOT_MAX_AGE_MS" | "TABLE_HOUR_GRACE_MS", string>
>;

const count = (value: string | undefined, fallback: number, min = 0) => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= min ? Math.floor(n) : fallback;
};

export function tableConfig(vars: TableVars): TableConfig {
  return {
    namespace: vars.TABLE_NAMESPACE || "milk",
    name: vars.TABLE_NAME || "locations",
    bucketName: vars.TABLE_BUCKET_NAME || "milk-lake",
    retainSnapshots: count(vars.TABLE_RETAIN_SNAPSHOTS, 10, 1),
    snapshotMaxAgeMs: count(vars.TABLE_SNAPSHOT_MAX_AGE_MS, 3_600_000),
    hourGraceMs: count(vars.TABLE_HOUR_GRACE_MS, 600_000),
  };
}

/** The catalog the environment names: the lake bucket's own files by default, Basin Catalog with `rest`. */
export function openCatalog(env: Env): Catalog {
  const vars = env as unknown as TableVars;
  const config = tableConfig(vars);
  if (vars.TABLE_CATALOG !== "rest") return new ObjectStoreCatalog(env.LAKE_BUCKET, config.bucketName, config);
  if (!vars.TABLE_CATALOG_URI || !vars.TABLE_WAREHOUSE || !vars.TABLE_CATALOG_TOKEN) {
    throw new Error("TABLE_CATALOG=rest needs TABLE_CATALOG_URI, TABLE_WAREHOUSE and the TABLE_CATALOG_TOKEN secret");
  }
  return new RestCatalog({ ...config, uri: vars.TABLE_CATALOG_URI, warehouse: vars.TABLE_WAREHOUSE, token: vars.TABLE_CATALOG_TOKEN });
}
