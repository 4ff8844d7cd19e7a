import { IngestMessage } from "../contract/ingest-message";
import { LAKE_SCHEMA_VERSION, normalizeEvent, type LocationRecord } from "../normalize";
import { uniqueName } from "./lake-keys";
import { createdAtRange, encodeLocationParquet, sortRecords } from "./lake-parquet";

export interface RebuildResult {
  partition: string;
  rawObjects: number;
  rows: number;
  replaced: number;
  written: string | null;
}

async function listAll(bucket: R2Bucket, prefix: string, include?: ("customMetadata")[]): Promise<R2Object[]> {
  const objects: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, ...(include && { include }) });
    objects.push(...page.objects);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

async function readEnvelopes(bucket: R2Bucket, key: string): Promise<unknown[]> {
  const object = await bucket.get(key);
  if (!object) return [];
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown);
}

/** Normalizes every archived envelope of the hour with its original processing time; first copy of an id wins. */
async function rebuildRecords(bucket: R2Bucket, raw: R2Object[]): Promise<LocationRecord[]> {
  const processedAt = (o: R2Object) => Date.parse(o.customMetadata?.processed_at ?? "") || o.uploaded.getTime();
  const ordered = [...raw].sort((a, b) => processedAt(a) - processedAt(b) || (a.key < b.key ? -1 : 1));
  const records = new Map<string, LocationRecord>();
  for (const object of ordered) {
    for (const body of await readEnvelopes(bucket, object.key)) {
      const parsed = IngestMessage.safeParse(body);
      if (parsed.success && !records.has(parsed.data.id)) records.set(parsed.data.id, normalizeEvent(parsed.data, processedAt(object)));
    }
  }
  return [...records.values()];
}

const baseName = (key: string) => key.slice(key.lastIndexOf("/") + 1).replace(/\.(parquet|ndjson\.gz)$/, "");

/**
 * Objects the rebuild may replace: earlier rebuilds, and batch files whose raw twin (same
 * unique name) was read. A batch file whose raw twin is still being written is kept, so a
 * concurrent lake write never loses rows.
 */
function replaceable(old: R2Object[], raw: R2Object[]): string[] {
  const rawNames = new Set(raw.map((o) => baseName(o.key)));
  return old.map((o) => o.key).filter((key) => baseName(key).startsWith("rebuild-") || rawNames.has(baseName(key)));
}

/**
 * Rebuilds `locations/<partition>/` from `raw/<partition>/` with the current normalizer:
 * writes one new Parquet object, then deletes the objects it replaces. Running it again
 * gives the same rows in a new object (idempotent).
 */
export async function rebuildHour(bucket: R2Bucket, partition: string, nowMs: number): Promise<RebuildResult> {
  // Parquet first, then raw: every listed batch file whose raw twin exists is covered below.
  const old = await listAll(bucket, `locations/${partition}/`);
  const raw = await listAll(bucket, `raw/${partition}/`, ["customMetadata"]);
  const records = sortRecords(await rebuildRecords(bucket, raw));
  if (records.length === 0) return { partition, rawObjects: raw.length, rows: 0, replaced: 0, written: null };
  const key = `locations/${partition}/rebuild-${uniqueName(nowMs)}.parquet`;
  await bucket.put(key, await encodeLocationParquet(records), {
    httpMetadata: { contentType: "application/vnd.apache.parquet" },
    customMetadata: {
      rows: String(records.length),
      ...createdAtRange(records),
      schema_version: LAKE_SCHEMA_VERSION,
      rebuilt_from_raw_objects: String(raw.length),
    },
  });
  const replaced = replaceable(old, raw);
  for (let i = 0; i < replaced.length; i += 1000) await bucket.delete(replaced.slice(i, i + 1000));
  return { partition, rawObjects: raw.length, rows: records.length, replaced: replaced.length, written: key };
}
