import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeDuplicateTombstones } from "../../src/lake/compaction/duplicate-pass";
import { compactionConfig } from "../../src/lake/compaction/config";
import { idRunKey, runKey } from "../../src/lake/keys";
import { mergeRuns, openMergedRows } from "../../src/lake/compaction/merge-runs";
import { narrowRuns } from "../../src/lake/compaction/combine-runs";
import { ID_RUN, RECORD_RUN, TOMBSTONE_RUN, readRun, writeRun, type RunCodec } from "../../src/lake/compaction/run-files";
import { mergeSorted } from "../../src/lake/compaction/run-heap";
import { normalizeEvent, type LocationRecord } from "../../src/normalize";
import { compareRecords } from "../../src/sinks/lake-parquet";
import { makeMessage } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";
import { limitClock, QUEUE_HOP_MS } from "../fixtures/limits/r2-write-rate";

/** A record of event `id` by `user` at 09:mm of one hour. */
const record = (id: string, user: string, minute: number): LocationRecord =>
  normalizeEvent(makeMessage({ event: makeEvent({ _id: id, createdAt: `2024-07-01T09:${String(minute).padStart(2, "0")}:00.000Z`, user: { _id: user } }) }), Date.parse("2024-07-01T10:00:00.000Z"));

interface Shard { kept: LocationRecord[]; excluded?: LocationRecord[] }

/** Writes each shard's run and id run as the sort step does; returns the id-run keys. */
async function writeShards(prefix: string, shards: Shard[]): Promise<string[]> {
  const keys: string[] = [];
  for (const [n, { kept, excluded = [] }] of shards.entries()) {
    await writeRun(env.LAKE_BUCKET, `${prefix}runs/${n}`, RECORD_RUN, [...kept].sort(compareRecords));
    const ids = [...kept.map((r) => ({ ...r, excluded: false })), ...excluded.map((r) => ({ ...r, excluded: true }))];
    await writeRun(env.LAKE_BUCKET, `${prefix}ids/${n}`, ID_RUN, ids.sort(ID_RUN.compare));
    keys.push(`${prefix}ids/${n}`);
  }
  return keys;
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe("the merge's duplicate pass (tombstones instead of an in-memory id set)", () => {
  const shards: Shard[] = [
    { kept: [record("a", "u1", 10), record("b", "u1", 20), record("c", "u2", 30), record("x", "u3", 5), record("g", "u0", 30)] },
    // a resent with a later time, g with an earlier one, b redelivered unchanged, d new
    { kept: [record("a", "u1", 40), record("b", "u1", 20), record("d", "u1", 15), record("g", "u0", 3)] },
    // a under another driver that sorts first; x also came from a raw object with a rejected envelope
    { kept: [record("a", "u0", 50), record("e", "u2", 1)], excluded: [record("x", "u3", 5)] },
    // an excluded id whose kept copy is in the same shard
    { kept: [record("f", "u2", 2)], excluded: [record("f", "u2", 2)] },
  ];

  it("keeps each id once: the copy first in lake order, none of an excluded id, same-key copies merged", async () => {
    const prefix = "test/duplicate-pass/1/";
    const idRuns = await writeShards(prefix, shards);
    const dropped = await writeDuplicateTombstones(env.LAKE_BUCKET, idRuns, (n) => `${prefix}tombstones/${n}`, 2);
    expect(dropped).toEqual({ runs: 3, tombstones: 5 }); // a@u1:10, a@u1:40, f, g@u0:30, x; b needs none
    const tombstones = Array.from({ length: dropped.runs }, (_, n) => readRun(env.LAKE_BUCKET, `${prefix}tombstones/${n}`, TOMBSTONE_RUN));
    const runs = shards.map((_, n) => readRun(env.LAKE_BUCKET, `${prefix}runs/${n}`, RECORD_RUN));
    const merged = await collect(mergeRuns(tombstones, runs));
    // Lake order: driver, then time; a's winner is u0's copy, x and f are held by kept batch files.
    expect(merged.map((r) => `${r.id}@${r.user_id}`)).toEqual(["g@u0", "a@u0", "d@u1", "b@u1", "e@u2", "c@u2"]);
    for (let i = 1; i < merged.length; i++) expect(compareRecords(merged[i - 1]!, merged[i]!)).toBeLessThan(0);
  });

  it("writes tombstone runs in lake order, so the merge meets each one right before the rows it drops", async () => {
    const prefix = "test/duplicate-pass/2/";
    const dropped = await writeDuplicateTombstones(env.LAKE_BUCKET, await writeShards(prefix, shards), (n) => `${prefix}tombstones/${n}`);
    expect(dropped).toEqual({ runs: 1, tombstones: 5 });
    const keys = await collect(readRun(env.LAKE_BUCKET, `${prefix}tombstones/0`, TOMBSTONE_RUN));
    expect(keys.map((k) => `${k.id}@${k.user_id}@${new Date(k.created_at).getUTCMinutes()}`)).toEqual(["g@u0@30", "a@u1@10", "a@u1@40", "f@u2@2", "x@u3@5"]); // not id order
  });

  it("tells apart drivers and ids that differ only in lone surrogates (stored alike as U+FFFD)", async () => {
    const prefix = "test/duplicate-pass/4/";
    const lone = [
      { kept: [record("x", "u\uD800", 1), record("p\uD800", "u0", 2)] },
      { kept: [record("x", "u\uD800", 5), record("p\uDFFF", "u0", 2)] }, // x resent later: a tombstone at u\uD800
      { kept: [record("z", "u\uDC00", 9), record("p\uD800", "u0", 2)] }, // z's key compares equal in UTF-8 bytes only
    ];
    const dropped = await writeDuplicateTombstones(env.LAKE_BUCKET, await writeShards(prefix, lone), (n) => `${prefix}tombstones/${n}`);
    const tombstones = Array.from({ length: dropped.runs }, (_, n) => readRun(env.LAKE_BUCKET, `${prefix}tombstones/${n}`, TOMBSTONE_RUN));
    const merged = await collect(mergeRuns(tombstones, lone.map((_, n) => readRun(env.LAKE_BUCKET, `${prefix}runs/${n}`, RECORD_RUN))));
    // JSON escapes lone surrogates, so a failure prints (vitest cannot send them to its reporter).
    expect(merged.map((r) => JSON.stringify(r.id)).sort()).toEqual(['"p\\ud800"', '"p\\udfff"', '"x"', '"z"']);
    expect(merged.find((r) => r.id === "x")!.created_at).toBe(Date.parse("2024-07-01T09:01:00.000Z"));
  });

  it("writes nothing when every id has one sort key", async () => {
    const prefix = "test/duplicate-pass/3/";
    const idRuns = await writeShards(prefix, [{ kept: [record("p", "u1", 1), record("q", "u1", 2)] }, { kept: [record("p", "u1", 1)] }]);
    expect(await writeDuplicateTombstones(env.LAKE_BUCKET, idRuns, (n) => `${prefix}tombstones/${n}`)).toEqual({ runs: 0, tombstones: 0 });
  });
});

describe("combining runs down to the merge's fan-in", () => {
  /** Runs of [key, run number] rows; every run holds the keys 0…4, so every key is a tie. */
  const TAGGED: RunCodec<[number, number]> = { toRow: (v) => v, fromRow: (row) => row as [number, number], compare: (a, b) => a[0] - b[0] };

  const mergedValues = async (keys: string[]) => (await collect(mergeSorted(keys.map((k) => readRun(env.LAKE_BUCKET, k, TAGGED)), TAGGED.compare))).map((head) => head.value);

  it("merges 7 runs into at most 2 stably (ties keep run order), over several levels, and rewrites the same keys", async () => {
    const prefix = "test/combine-runs/";
    const keys: string[] = [];
    for (let run = 0; run < 7; run++) {
      keys.push(`${prefix}in/${run}`);
      await writeRun(env.LAKE_BUCKET, keys[run]!, TAGGED, [0, 1, 2, 3, 4].map((k) => [k, run] as [number, number]));
    }
    await writeRun(env.LAKE_BUCKET, `${prefix}in/empty`, TAGGED, []);
    const narrow = async () => {
      const named: string[] = [];
      const narrowed = await narrowRuns(env.LAKE_BUCKET, TAGGED, [...keys, `${prefix}in/empty`], 2, 5 * 1024 * 1024, (first, last) => (named.push(`${first}-${last}`), `${prefix}out/${first}-${last}`));
      return { narrowed, named };
    };
    const { narrowed, named } = await narrow();
    expect(narrowed).toEqual([`${prefix}out/0-3`, `${prefix}out/4-7`]);
    expect(named).toEqual(["0-1", "2-3", "4-5", "6-7", "0-3", "4-7"]); // 8 runs → 4 → 2, named by the inputs they hold
    limitClock.advance(QUEUE_HOP_MS); // a retried merge comes after its retry delay (R2: 1 write/s per key)
    expect(await narrow()).toEqual({ narrowed, named }); // a retried merge overwrites, never adds
    expect(await mergedValues(narrowed)).toEqual([0, 1, 2, 3, 4].flatMap((k) => [0, 1, 2, 3, 4, 5, 6].map((run) => [k, run])));
  });

  it("combines only the first runs when they can absorb the excess, leaving the rest as they are", async () => {
    const prefix = "test/combine-runs-partial/";
    const keys = [0, 1, 2, 3, 4].map((run) => `${prefix}in/${run}`);
    for (const [run, key] of keys.entries()) await writeRun(env.LAKE_BUCKET, key, TAGGED, [[run, run], [9, run]]);
    const narrowed = await narrowRuns(env.LAKE_BUCKET, TAGGED, keys, 4, 5 * 1024 * 1024, (first, last) => `${prefix}out/${first}-${last}`);
    expect(narrowed).toEqual([`${prefix}out/0-1`, ...keys.slice(2)]);
    expect(await mergedValues(narrowed)).toEqual([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [9, 0], [9, 1], [9, 2], [9, 3], [9, 4]]);
  });
});

describe("the merge's open runs", () => {
  /** The lake bucket, counting run bodies being read at once (a body counts until it ends). */
  function countingBucket() {
    const counts = { open: 0, max: 0 };
    const bucket = new Proxy(env.LAKE_BUCKET, {
      get(target, name) {
        if (name !== "get") return Reflect.get(target, name).bind(target);
        return async (key: string) => {
          const object = await target.get(key);
          if (!object) return object;
          counts.max = Math.max(counts.max, ++counts.open);
          let rest = new Uint8Array(await object.arrayBuffer());
          // Pulled in small pieces only as the merge reads: open until its last piece is taken.
          const body = new ReadableStream<Uint8Array>({
            pull(controller) {
              if (!rest.length) return counts.open--, controller.close();
              controller.enqueue(rest.slice(0, 256));
              rest = rest.subarray(256);
            },
          }, { highWaterMark: 0 });
          return { body };
        };
      },
    });
    return { bucket, counts };
  }

  it("never holds more runs than the fan-in, however many shards the hour has", async () => {
    const job = { jobId: "fan-in-job", planId: "plan-1", shards: 6 };
    const expected: string[] = [];
    for (let shard = 0; shard < job.shards; shard++) {
      // Each shard also resends 20 ids at its own time: the duplicate pass writes 100 tombstones.
      const resent = Array.from({ length: 20 }, (_, i) => record(`again-${i}`, "u9", 10 + shard));
      const kept = [...Array.from({ length: 30 }, (_, i) => record(`s${shard}-${i}`, `u${i % 3}`, shard + i)), ...resent].sort(compareRecords);
      expected.push(...kept.map((r) => r.id).filter((id) => !id.startsWith("again") || shard === 0));
      await writeRun(env.LAKE_BUCKET, runKey(job.jobId, job.planId, shard), RECORD_RUN, kept);
      await writeRun(env.LAKE_BUCKET, idRunKey(job.jobId, job.planId, shard), ID_RUN, kept.map((r) => ({ ...r, excluded: false })).sort(ID_RUN.compare));
    }
    const { bucket, counts } = countingBucket();
    const deps = { bucket, config: { ...compactionConfig({}), mergeFanIn: 2 } };
    const merged = await collect(await openMergedRows(deps, job));
    expect(merged.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(merged.find((r) => r.id === "again-7")!.created_at).toBe(Date.parse("2024-07-01T09:10:00.000Z"));
    expect(counts.max).toBe(2); // tombstone runs included
  });
});
