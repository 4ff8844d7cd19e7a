// The Iceberg table in a pulled lake folder: exactly the current snapshot's data files, read the
// way a catalog reader does (metadata JSON → manifest list → manifests, Avro decoded by icebird).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { avroMetadata, avroRead } from "icebird";

/** Where the object-store catalog keeps a table (src/lake/table/catalog/object-store-catalog.ts). */
export const tableMetadataDir = (lakeDir, namespace = "milk", name = "locations") => join(lakeDir, "tables", namespace, name, "metadata");

/** The bucket key of an `s3://<bucket>/<key>` URI. */
const keyOf = (uri) => uri.replace(/^s3a?:\/\/[^/]+\//, "");

async function decodeAvro(bytes) {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const { metadata, syncMarker } = await avroMetadata(reader);
  return avroRead({ reader, metadata, syncMarker });
}

/** The newest metadata file: the version hint, then any later version that exists. Null without a table. */
export function latestTableMetadata(lakeDir, table = {}) {
  const dir = tableMetadataDir(lakeDir, table.namespace, table.name);
  const hint = join(dir, "version-hint.text");
  let version = existsSync(hint) ? Number(readFileSync(hint, "utf8")) : 0;
  while (existsSync(join(dir, `v${version + 1}.metadata.json`))) version += 1;
  if (version === 0) return null;
  const path = join(dir, `v${version}.metadata.json`);
  return { path, metadata: JSON.parse(readFileSync(path, "utf8")) };
}

/**
 * Keys of the data files live in a snapshot (default: main), read through `get(key)` → bytes or
 * null: a pulled folder or the local bucket (the freshness bench) alike.
 */
export async function liveDataKeys(metadata, get, snapshotId = metadata.refs?.main?.["snapshot-id"] ?? metadata["current-snapshot-id"]) {
  const snapshot = metadata.snapshots?.find((s) => s["snapshot-id"] === snapshotId);
  if (!snapshot) return [];
  const read = async (uri) => {
    const bytes = await get(keyOf(uri));
    if (!bytes) throw new Error(`table file missing: ${uri}`);
    return decodeAvro(bytes);
  };
  const keys = [];
  for (const manifest of await read(snapshot["manifest-list"])) {
    for (const entry of await read(manifest.manifest_path)) if (entry.status !== 2) keys.push(keyOf(entry.data_file.file_path)); // 2: deleted
  }
  return keys.sort();
}

/**
 * Local paths of the data files live in the table's current snapshot (what Snowflake reads), or
 * null when the folder holds no table yet. Throws if a live file is missing from the folder.
 */
export async function currentTableFiles(lakeDir, table = {}) {
  const latest = latestTableMetadata(lakeDir, table);
  if (!latest) return null;
  const { metadata } = latest;
  const snapshotId = metadata.refs?.main?.["snapshot-id"] ?? metadata["current-snapshot-id"] ?? null;
  const get = async (key) => (existsSync(join(lakeDir, key)) ? readFileSync(join(lakeDir, key)) : null);
  const files = (await liveDataKeys(metadata, get)).map((key) => join(lakeDir, key));
  for (const path of files) if (!existsSync(path)) throw new Error(`live data file missing from the pulled lake: ${path}`);
  return { snapshotId, files, metadataPath: latest.path };
}
