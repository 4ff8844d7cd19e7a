import type { TableBucket } from "./table-bucket";
import { parseObjectUri } from "../../keys";
import { partitionHour, readInt } from "./bounds";
import { isLive } from "./live-files";
import type { ManifestEntry, ManifestFile } from "./manifest-schemas";
import { readManifestEntries, readManifestList } from "./manifests";
import { findSnapshot, type TableMetadata } from "./table-metadata";

/**
 * The parent snapshot as one commit sees it: its whole manifest list, but the entries of only
 * the manifests whose hour range (the list's partition field summary) may hold an hour the
 * commit touches. A data file's partition value is its key's hour, so a file of hour h can be
 * live only in a manifest whose summary covers h: the others are carried by reference, unread.
 * What the committer and writeSnapshotFiles share, so an attempt reads each manifest once.
 */
export interface ParentManifests {
  /** The snapshot these are of (main's when read); null: the table had none. */
  snapshotId: number | null;
  /** Every manifest of the parent snapshot, in list order. */
  files: ManifestFile[];
  /** Hours whose manifests are loaded; null: every manifest is. */
  hours: ReadonlySet<number> | null;
  /** Entries of the manifests read so far (inheritance applied), by manifest path. */
  entries: Map<string, Promise<ManifestEntry[]>>;
}

/** The hour a lake key is partitioned by (`…/dt=YYYY-MM-DD/hour=HH/…`), or null if it names none. */
export function keyHour(key: string): number | null {
  const match = /(?:^|\/)(dt=\d{4}-\d{2}-\d{2}\/hour=\d{2})\//.exec(key);
  return match ? partitionHour(match[1]!) : null;
}

/** The hours a change touches; null when a key names no hour (then every manifest must be read). */
export function touchedHours(partitions: string[], keys: string[]): Set<number> | null {
  const hours = new Set(partitions.map(partitionHour));
  for (const key of keys) {
    const hour = keyHour(key);
    if (hour === null) return null;
    hours.add(hour);
  }
  return hours;
}

/** A manifest's partition hours from its list entry; null when the summary is missing (read it). */
export function manifestHours(file: ManifestFile): { lower: number; upper: number } | null {
  const summary = file.partitions?.[0];
  if (!summary?.lower_bound || !summary.upper_bound) return null;
  return { lower: readInt(summary.lower_bound), upper: readInt(summary.upper_bound) };
}

function mayHold(file: ManifestFile, hours: ReadonlySet<number> | null): boolean {
  const range = manifestHours(file);
  if (!hours || !range) return true;
  for (const hour of hours) if (hour >= range.lower && hour <= range.upper) return true;
  return false;
}

/** A manifest's entries, read at most once per ParentManifests. */
export function manifestEntries(bucket: TableBucket, parent: ParentManifests, file: ManifestFile): Promise<ManifestEntry[]> {
  let entries = parent.entries.get(file.manifest_path);
  if (!entries) parent.entries.set(file.manifest_path, (entries = readManifestEntries(bucket, file)));
  return entries;
}

/** Reads main's manifest list (or none) and the manifests that may hold `hours` (null: all). */
export async function loadParentManifests(bucket: TableBucket, metadata: TableMetadata, hours: ReadonlySet<number> | null): Promise<ParentManifests> {
  const snapshot = findSnapshot(metadata);
  const files = snapshot ? await readManifestList(bucket, snapshot["manifest-list"]) : [];
  const parent: ParentManifests = { snapshotId: snapshot?.["snapshot-id"] ?? null, files, hours, entries: new Map() };
  await Promise.all(files.filter((f) => mayHold(f, hours)).map((f) => manifestEntries(bucket, parent, f)));
  return parent;
}

/** `loaded` if it is of main's snapshot and has read every manifest that may hold `hours`; else a fresh read. */
export async function parentManifestsFor(bucket: TableBucket, metadata: TableMetadata, hours: ReadonlySet<number> | null, loaded?: ParentManifests): Promise<ParentManifests> {
  const sameSnapshot = loaded?.snapshotId === (findSnapshot(metadata)?.["snapshot-id"] ?? null);
  const covers = !loaded?.hours || (hours !== null && [...hours].every((h) => loaded.hours!.has(h)));
  return loaded && sameSnapshot && covers ? loaded : loadParentManifests(bucket, metadata, hours);
}

/** Live entries of the manifests read, by data file path: the live files of the loaded hours. */
export async function loadedLiveEntries(parent: ParentManifests): Promise<Map<string, ManifestEntry>> {
  const live = new Map<string, ManifestEntry>();
  for (const entries of await Promise.all(parent.entries.values())) for (const e of entries) if (isLive(e)) live.set(e.data_file.file_path, e);
  return live;
}

/** Live keys of the loaded hours (what the committer resolves a batch against). */
export async function loadedLiveKeys(parent: ParentManifests): Promise<Set<string>> {
  return new Set([...(await loadedLiveEntries(parent)).keys()].map((path) => parseObjectUri(path).key));
}
