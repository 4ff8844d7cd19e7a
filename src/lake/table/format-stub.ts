/**
 * TEMPORARY STUB of part A's interface (docs: /work/briefs/seams.md), replaced when issue-19a is
 * merged: same names and shapes, but manifests are JSON lists instead of Avro. Nothing else in
 * src/lake/table/ may depend on what is inside these files.
 */
export interface DataFileInput {
  key: string;
  partition: string;
  recordCount: number;
  fileSizeBytes: number;
}

export interface Snapshot {
  "snapshot-id": number;
  "parent-snapshot-id"?: number;
  "sequence-number": number;
  "timestamp-ms": number;
  "manifest-list": string;
  summary: Record<string, string> & { operation: string };
}

export interface TableMetadata {
  "format-version": 2;
  "table-uuid": string;
  location: string;
  "last-sequence-number": number;
  "last-updated-ms": number;
  "current-snapshot-id"?: number;
  snapshots: Snapshot[];
  refs: Record<string, { "snapshot-id": number; type: "branch" }>;
  properties: Record<string, string>;
  [field: string]: unknown;
}

export type TableRequirement = { type: "assert-table-uuid"; uuid: string } | { type: "assert-ref-snapshot-id"; ref: string; "snapshot-id": number | null };
export type TableUpdate = { action: string; [field: string]: unknown };

export interface TableChange {
  operation: "append" | "overwrite";
  add: DataFileInput[];
  removeKeys: string[];
  summary: Record<string, string>;
}

export class CommitConflict extends Error {}

export function buildTableSchema() {
  return { type: "struct", "schema-id": 0, fields: [] as unknown[] };
}
export const PARTITION_SPEC = { "spec-id": 0, fields: [{ "source-id": 7, "field-id": 1000, name: "created_at_hour", transform: "hour" }] };

export function newTableMetadata(location: string, properties: Record<string, string>, nowMs: number): TableMetadata {
  return { "format-version": 2, "table-uuid": crypto.randomUUID(), location, "last-sequence-number": 0, "last-updated-ms": nowMs, snapshots: [], refs: {}, properties };
}

export function applyTableUpdates(metadata: TableMetadata, requirements: TableRequirement[], updates: TableUpdate[]): TableMetadata {
  for (const r of requirements) {
    if (r.type === "assert-table-uuid" && r.uuid !== metadata["table-uuid"]) throw new CommitConflict("table uuid changed");
    if (r.type === "assert-ref-snapshot-id" && (metadata.refs[r.ref]?.["snapshot-id"] ?? null) !== r["snapshot-id"]) throw new CommitConflict(`ref ${r.ref} moved`);
  }
  const next: TableMetadata = structuredClone(metadata);
  for (const u of updates) {
    if (u.action === "add-snapshot") {
      const s = u.snapshot as Snapshot;
      next.snapshots.push(s);
      next["last-sequence-number"] = s["sequence-number"];
    } else if (u.action === "set-snapshot-ref") {
      next.refs[u["ref-name"] as string] = { "snapshot-id": u["snapshot-id"] as number, type: "branch" };
      if (u["ref-name"] === "main") next["current-snapshot-id"] = u["snapshot-id"] as number;
    } else if (u.action === "remove-snapshots") {
      const gone = new Set(u["snapshot-ids"] as number[]);
      next.snapshots = next.snapshots.filter((s) => !gone.has(s["snapshot-id"]));
    } else if (u.action === "set-properties") {
      Object.assign(next.properties, u.updates as Record<string, string>);
    } else throw new Error(`stub: unsupported update ${u.action}`);
  }
  next["last-updated-ms"] = Date.now();
  return next;
}

const keyOfLocation = (location: string) => location.replace(/^s3:\/\/[^/]+\//, "");

export async function listLiveDataFiles(bucket: R2Bucket, metadata: TableMetadata, snapshotId?: number): Promise<Array<DataFileInput & { path: string }>> {
  const id = snapshotId ?? metadata["current-snapshot-id"];
  const snapshot = metadata.snapshots.find((s) => s["snapshot-id"] === id);
  if (!snapshot) return [];
  const object = await bucket.get(keyOfLocation(snapshot["manifest-list"]));
  if (!object) throw new Error(`manifest list missing: ${snapshot["manifest-list"]}`);
  return object.json();
}

export async function writeSnapshotFiles(bucket: R2Bucket, metadata: TableMetadata, change: TableChange, nowMs: number) {
  const parentId = metadata["current-snapshot-id"] ?? null;
  const removed = new Set(change.removeKeys);
  const live = (await listLiveDataFiles(bucket, metadata)).filter((f) => !removed.has(f.key));
  const bucketName = /^s3:\/\/([^/]+)\//.exec(metadata.location)?.[1] ?? "bucket";
  const files = [...live, ...change.add.map((f) => ({ ...f, path: `s3://${bucketName}/${f.key}` }))];
  const snapshotId = Math.floor(Math.random() * 2 ** 52);
  const listKey = `${keyOfLocation(metadata.location)}/metadata/snap-${snapshotId}.json`;
  await bucket.put(listKey, JSON.stringify(files));
  const snapshot: Snapshot = {
    "snapshot-id": snapshotId,
    ...(parentId !== null && { "parent-snapshot-id": parentId }),
    "sequence-number": metadata["last-sequence-number"] + 1,
    "timestamp-ms": nowMs,
    "manifest-list": `s3://${bucketName}/${listKey}`,
    summary: { ...change.summary, operation: change.operation },
  };
  const requirements: TableRequirement[] = [{ type: "assert-table-uuid", uuid: metadata["table-uuid"] }, { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": parentId }];
  const updates: TableUpdate[] = [{ action: "add-snapshot", snapshot }, { action: "set-snapshot-ref", "ref-name": "main", type: "branch", "snapshot-id": snapshotId }];
  return { snapshot, requirements, updates };
}
