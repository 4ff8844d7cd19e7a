// Child of the table-scale benchmark (`node --max-old-space-size=128 --expose-gc`): builds a
// table of N live files spread over hours with the Worker's own table code against a
// disk-backed bucket, then times one append commit of 1 file to the current hour and one
// compaction overwrite of the previous hour through commitPending (the committer's path).
// Prints one JSON line. The catalog is an in-memory stand-in of the port (the catalog's own
// cost does not depend on the manifests: it is one metadata JSON per commit).
import { diskBucket } from "./disk-bucket.mjs";

const [bundle, dir, liveFiles] = process.argv.slice(2);
const lake = await import(bundle);
const HOUR_MS = 3_600_000;
const N = Number(liveFiles);
/** Fleet shape (issue 19): compacted hours hold 1–2 files; the last two hours 20 batch files each, not compacted yet. */
const RECENT_BATCH_FILES = 20;
// The last day of a month: the newest month holds a whole month of files (the dearest case for an append).
const NOW = Date.parse("2026-11-30T22:20:00.000Z");
const CURRENT_HOUR = Math.floor(NOW / HOUR_MS);

/** Counts what the code reads and writes (manifests are the `.avro` files not named `snap-…`). */
function countingBucket(inner) {
  const c = { manifest_reads: 0, list_reads: 0, bytes_read: 0, bytes_written: 0, objects_written: 0 };
  const isAvro = (k) => k.endsWith(".avro");
  const isList = (k) => k.split("/").at(-1).startsWith("snap-");
  return {
    counts: c,
    reset: () => Object.keys(c).forEach((k) => (c[k] = 0)),
    ...inner,
    async get(key, ...rest) {
      const object = await inner.get(key, ...rest);
      if (!object) return object;
      if (isAvro(key)) c[isList(key) ? "list_reads" : "manifest_reads"]++;
      return { ...object, arrayBuffer: async () => { const b = await object.arrayBuffer(); c.bytes_read += b.byteLength; return b; } };
    },
    async put(key, value, ...rest) {
      c.bytes_written += value.byteLength ?? value.length ?? 0;
      c.objects_written++;
      return inner.put(key, value, ...rest);
    },
  };
}

const bucket = countingBucket(diskBucket(dir));
let metadata = lake.newTableMetadata({ location: "s3://milk-lake/tables/milk/locations", nowMs: NOW - 400 * 24 * HOUR_MS, tableUuid: "00000000-0000-4000-8000-000000000019" });
const catalog = {
  async loadTable() { return { metadata, metadataLocation: "memory" }; },
  async createTable() { return { metadata, metadataLocation: "memory" }; },
  async commitTable(requirements, updates) {
    metadata = lake.applyTableUpdates(metadata, requirements, updates, NOW);
    return { metadata, metadataLocation: "memory" };
  },
};
const fileOf = (hour, name) => {
  const partition = lake.hourPartition(hour * HOUR_MS);
  return { key: `locations/${partition}/${name}.parquet`, partition, recordCount: 5_000, fileSizeBytes: 400_000 };
};

/** The hours' files, oldest first: 2 per compacted hour (1 in every fourth), then the two recent hours. */
function plannedFiles() {
  const files = [];
  for (let i = 0; i < RECENT_BATCH_FILES; i++) files.push(fileOf(CURRENT_HOUR, `batch-${i}`), fileOf(CURRENT_HOUR - 1, `batch-${i}`));
  for (let hour = CURRENT_HOUR - 2; files.length < N; hour--) {
    files.push(fileOf(hour, "rebuild-a"));
    if (hour % 4 && files.length < N) files.push(fileOf(hour, "rebuild-b"));
  }
  return files.reverse();
}

/**
 * History arrives as one append per week of hours: enough commits for the committer's manifest
 * merging to shape the table as it would, few enough to build 65,000 files in about a minute.
 */
async function buildTable() {
  const byWeek = new Map();
  for (const f of plannedFiles()) {
    const week = Math.floor(lake.partitionEndMs(f.partition) / (168 * HOUR_MS));
    byWeek.set(week, [...(byWeek.get(week) ?? []), f]);
  }
  const config = { retainSnapshots: 10, snapshotMaxAgeMs: 0, hourGraceMs: 600_000 };
  for (const [week, add] of byWeek) {
    if (week % 20 === 0) console.error(`    built through week ${week}…`);
    await lake.commitPending({ bucket, catalog, config }, { commitId: `build-${week}`, add, overwrites: [], missing: [] }, NOW);
  }
  return byWeek.size;
}

const used = () => { const m = process.memoryUsage(); return (m.heapUsed + m.external) / 1048576; };

/** One commit through commitPending: CPU, wall, peak heap+external and RSS, reads and writes. */
async function measure(pending) {
  globalThis.gc?.();
  bucket.reset();
  const baseline = used();
  let peak = baseline, rss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, used()); rss = Math.max(rss, process.memoryUsage().rss); }, 2);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await lake.commitPending({ bucket, catalog, config: { retainSnapshots: 10, snapshotMaxAgeMs: HOUR_MS, hourGraceMs: 600_000 } }, pending, NOW);
  const spent = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, used());
  if (outcome.state !== "committed") throw new Error(`expected a commit, got ${outcome.state}`);
  return {
    cpu_ms: Math.round((spent.user + spent.system) / 1000), wall_ms: Math.round(performance.now() - started),
    peak_mb: Number(peak.toFixed(1)), peak_growth_mb: Number((peak - baseline).toFixed(1)), peak_rss_mb: Math.round(rss / 1048576),
    ...bucket.counts, manifests_after: (await lake.readManifestList(bucket, lake.findSnapshot(metadata)["manifest-list"])).length,
  };
}

const commits = await buildTable();
const manifestsBefore = (await lake.readManifestList(bucket, lake.findSnapshot(metadata)["manifest-list"])).length;
const appendOne = (name) => ({ commitId: name, add: [fileOf(CURRENT_HOUR, name)], overwrites: [], missing: [] });
const append = await measure(appendOne("batch-new-0"));
// Appends to the current hour until one merges manifests (the list gets shorter) and a later one
// merges nothing: the dearest merging commit of the steady state, and a plain append after it.
let merging = null, afterMerge = null, appends = 0;
const listLength = async () => (await lake.readManifestList(bucket, lake.findSnapshot(metadata)["manifest-list"])).length;
while (appends < 60 && !afterMerge) {
  const before = await listLength();
  const run = await measure(appendOne(`batch-new-${++appends}`));
  if (run.manifests_after > before) afterMerge = merging ? { ...run, appends_before: appends - 1 } : null;
  else if (!merging || run.bytes_written > merging.bytes_written) merging = { ...run, appends_before: appends - 1 };
}
const hour = lake.hourPartition((CURRENT_HOUR - 1) * HOUR_MS);
const removeKeys = Array.from({ length: RECENT_BATCH_FILES }, (_, i) => fileOf(CURRENT_HOUR - 1, `batch-${i}`).key);
const overwrite = await measure({ commitId: "overwrite-1", add: [], overwrites: [{ jobId: "job1", partition: hour, add: [fileOf(CURRENT_HOUR - 1, "rebuild-job1-00000")], removeKeys }], missing: [] });
const live = await lake.listLiveDataFiles(bucket, metadata);
const expected = N + 1 + appends - RECENT_BATCH_FILES + 1; // every append added one; the overwrite replaced 20 by 1
if (live.length !== expected) throw new Error(`table holds ${live.length} live files, expected ${expected}`);
console.log(JSON.stringify({ live_files: N, build_commits: commits, manifests_before: manifestsBefore, append, append_merging: merging, append_after_merge: afterMerge, overwrite, max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
