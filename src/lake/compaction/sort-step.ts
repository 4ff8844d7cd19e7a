import type { RawSource, SortMessage } from "../../contract/compaction-message";
import { IngestMessage } from "../../contract/ingest-message";
import { errorMessage, toIssues } from "../../errors";
import { normalizeEvent, type LocationRecord } from "../../normalize";
import { sortRecords } from "../../sinks/lake-parquet";
import { keyOf, listAll, putJson, readJson, readLines } from "../bucket-io";
import type { CompactionDeps } from "./config";
import { donePrefix, idRunKey, rejectedKey, runKey, shardDoneKey, shardSourcesKey } from "../keys";
import { ID_RUN, RECORD_RUN, writeRun, type IdEntry } from "./run-files";

/** What a finished shard reports to the merge (its done marker). */
export interface ShardDone {
  rows: number;
  rejected: number;
  /** Raw objects with a rejected envelope: their batch files are kept, their rows left out. */
  rejectedRaw: string[];
  /** Ids accepted from those raw objects: the kept batch files hold them, so the merge drops them (id run). */
  excludedIds: number;
}

interface Rejection { line: number; reason: string; body: string }

function parseEnvelope(line: string, processedAt: number): LocationRecord | string {
  try {
    const parsed = IngestMessage.safeParse(JSON.parse(line));
    if (!parsed.success) return toIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join("; ");
    return normalizeEvent(parsed.data, processedAt);
  } catch (err) {
    return errorMessage(err);
  }
}

/** Normalizes one raw object with its processing time; rejected envelopes are returned, not thrown. */
async function readSource(deps: CompactionDeps, source: RawSource) {
  const records: LocationRecord[] = [];
  const rejections: Rejection[] = [];
  const lines = await readLines(deps.bucket, source.key, true);
  if (!lines) throw new Error(`raw object vanished: ${source.key}`); // raw is kept forever; retry, never skip
  let n = 0;
  for await (const line of lines) {
    const record = parseEnvelope(line, source.processedAt);
    if (typeof record === "string") rejections.push({ line: n, reason: record, body: line });
    else records.push(record);
    n++;
  }
  return { records, rejections };
}

const entryOf = ({ id, user_id, created_at }: LocationRecord, excluded: boolean): IdEntry => ({ id, user_id, created_at, excluded });

/**
 * Sort step: one shard of raw objects → one sorted run (first processed copy of an id wins) and
 * its id run (the same ids in id order, plus those excluded). The last shard to finish sends the
 * merge; two shards finishing together may both send it, which the merge tolerates.
 */
export async function sortShard(deps: CompactionDeps, message: SortMessage): Promise<ShardDone> {
  const seen = new Set<string>();
  const kept: LocationRecord[] = [];
  const ids: IdEntry[] = [];
  const done: ShardDone = { rows: 0, rejected: 0, rejectedRaw: [], excludedIds: 0 };
  const { jobId, planId, shard } = message;
  const sources = await readJson<RawSource[]>(deps.bucket, shardSourcesKey(jobId, planId, shard));
  if (!sources) throw new Error(`no sources stored for shard ${shard} of ${jobId}`); // the plan writes them first: retry
  for (const source of sources) {
    const { records, rejections } = await readSource(deps, source);
    if (rejections.length) {
      await putJson(deps.bucket, rejectedKey(message.partition, source.key), { source: source.key, jobId: message.jobId, rejected: rejections });
      done.rejected += rejections.length;
      done.rejectedRaw.push(source.key);
      done.excludedIds += records.length;
      for (const r of records) ids.push(entryOf(r, true));
      continue;
    }
    for (const r of records) if (!seen.has(r.id)) seen.add(r.id), kept.push(r), ids.push(entryOf(r, false));
  }
  done.rows = kept.length;
  await writeRun(deps.bucket, runKey(jobId, planId, shard), RECORD_RUN, sortRecords(kept));
  await writeRun(deps.bucket, idRunKey(jobId, planId, shard), ID_RUN, ids.sort(ID_RUN.compare));
  await putJson(deps.bucket, shardDoneKey(jobId, planId, shard), done);
  const finished = await listAll(deps.bucket, donePrefix(jobId, planId), keyOf);
  if (finished.length >= message.shards) await deps.queue.send({ step: "merge", jobId, partition: message.partition });
  return done;
}
