import type { TableMetadata, TableRequirement, TableUpdate } from "../format";

/** A table as a catalog returns it: its metadata and where that metadata file lives. */
export interface LoadedTable {
  metadata: TableMetadata;
  metadataLocation: string;
}

/**
 * The catalog port: the three calls the committer makes. Adapters: object-store (metadata files
 * in the lake's own bucket, src/lake/table/catalog/object-store-catalog.ts) and REST (Basin Catalog).
 */
export interface Catalog {
  /** The table, or null if it does not exist yet. */
  loadTable(): Promise<LoadedTable | null>;
  /** Creates the table; an existing table is returned as it is (two creators race harmlessly). */
  createTable(): Promise<LoadedTable>;
  /** Applies `updates` if every requirement holds; otherwise throws a conflict CatalogError. */
  commitTable(requirements: TableRequirement[], updates: TableUpdate[]): Promise<LoadedTable>;
}

/**
 * How the committer reacts: conflict → reload, rebuild, retry now; retryable → retry the queue
 * messages later (429 after Retry-After, 5xx, timeout, an answer that never came: the commit may
 * have happened, which the next attempt detects); fatal → retry too, but it needs an operator.
 */
export type CatalogErrorKind = "conflict" | "retryable" | "fatal";

export class CatalogError extends Error {
  constructor(
    readonly kind: CatalogErrorKind,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "CatalogError";
  }
}

/** Any error as a catalog error: unknown failures (network, aborted fetch) are retryable. */
export function asCatalogError(err: unknown): CatalogError {
  if (err instanceof CatalogError) return err;
  return new CatalogError("retryable", err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

/** Namespace, table and defaults the table is created with. */
export interface TableIdentity {
  namespace: string;
  name: string;
}
