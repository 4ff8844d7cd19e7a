import { applyTableUpdates, CommitConflict, newTableMetadata, type TableMetadata, type TableRequirement, type TableUpdate } from "../format";
import { objectUri } from "../../keys";
import { type Catalog, CatalogError, type LoadedTable, type TableIdentity } from "./catalog";

/**
 * Object-store catalog in the lake's bucket: `tables/<ns>/<table>/metadata/v<N>.metadata.json`
 * plus the pointer `version-hint.text` (Iceberg's file-system layout, readable by Snowflake with
 * CATALOG_SOURCE = OBJECT_STORE). Version N is created only if absent (If-None-Match: *), so of
 * two committers building on N-1 exactly one wins; the pointer moves forward only by etag
 * (If-Match), and a reader probes past it, so a committer that died before moving it blocks nobody.
 * The last PREVIOUS_VERSIONS metadata files are kept (Iceberg's write.metadata.previous-versions-max).
 */
export const PREVIOUS_VERSIONS = 100;

export class ObjectStoreCatalog implements Catalog {
  private readonly root: string;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly bucketName: string,
    table: TableIdentity,
  ) {
    this.root = `tables/${table.namespace}/${table.name}`;
  }

  metadataKey(version: number) {
    return `${this.root}/metadata/v${version}.metadata.json`;
  }

  private get hintKey() {
    return `${this.root}/metadata/version-hint.text`;
  }

  private location(key: string) {
    return objectUri(this.bucketName, key);
  }

  /** The newest version: the pointer's, then every later file that exists. */
  private async latest(): Promise<{ version: number; metadata: TableMetadata; hintEtag: string | null } | null> {
    const hint = await this.bucket.get(this.hintKey);
    let version = hint ? Number(await hint.text()) : 0;
    let metadata: TableMetadata | null = null;
    if (version > 0) metadata = await this.read(version);
    for (let next = await this.read(version + 1); next; next = await this.read(version + 1)) {
      version += 1;
      metadata = next;
    }
    return metadata ? { version, metadata, hintEtag: hint?.etag ?? null } : null;
  }

  private async read(version: number): Promise<TableMetadata | null> {
    const object = await this.bucket.get(this.metadataKey(version));
    return object ? object.json<TableMetadata>() : null;
  }

  async loadTable(): Promise<LoadedTable | null> {
    const latest = await this.latest();
    return latest && { metadata: latest.metadata, metadataLocation: this.location(this.metadataKey(latest.version)) };
  }

  async createTable(): Promise<LoadedTable> {
    const metadata = newTableMetadata({ location: this.location(this.root), nowMs: Date.now(), properties: { "milk.catalog": "object-store" } });
    if (await this.writeVersion(1, metadata, null)) return { metadata, metadataLocation: this.location(this.metadataKey(1)) };
    return (await this.loadTable())!;
  }

  async commitTable(requirements: TableRequirement[], updates: TableUpdate[]): Promise<LoadedTable> {
    const latest = await this.latest();
    if (!latest) throw new CatalogError("fatal", "table does not exist");
    let next: TableMetadata;
    try {
      next = applyTableUpdates(latest.metadata, requirements, updates);
    } catch (err) {
      if (err instanceof CommitConflict) throw new CatalogError("conflict", err.message);
      throw new CatalogError("fatal", err instanceof Error ? err.message : String(err));
    }
    const version = latest.version + 1;
    if (!(await this.writeVersion(version, next, latest.hintEtag))) throw new CatalogError("conflict", `v${version} was written by another committer`);
    return { metadata: next, metadataLocation: this.location(this.metadataKey(version)) };
  }

  /** Create-only put of version N, then the pointer; false if N already exists. */
  private async writeVersion(version: number, metadata: TableMetadata, hintEtag: string | null): Promise<boolean> {
    const created = await this.bucket.put(this.metadataKey(version), JSON.stringify(metadata), {
      onlyIf: new Headers({ "If-None-Match": "*" }),
      httpMetadata: { contentType: "application/json" },
    });
    if (!created) return false;
    // Best effort: a lost race here only means the pointer lags and readers probe one more file.
    const moved = await this.bucket
      .put(this.hintKey, String(version), { onlyIf: new Headers(hintEtag ? { "If-Match": hintEtag } : { "If-None-Match": "*" }) })
      .catch(() => null);
    // Only behind a pointer that moved: readers start at the pointer, never below it.
    if (moved && version > PREVIOUS_VERSIONS) await this.bucket.delete(this.metadataKey(version - PREVIOUS_VERSIONS)).catch(() => undefined);
    return true;
  }
}
