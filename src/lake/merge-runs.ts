import type { LocationRecord } from "../normalize";
import { compareRecords } from "../sinks/lake-parquet";
import { IdHashSet } from "./id-hash-set";

interface Head { record: LocationRecord; run: number; rest: AsyncGenerator<LocationRecord> }

/** Lake order, then run order: runs are numbered in processing order, so the first processed copy comes first. */
const before = (a: Head, b: Head) => (compareRecords(a.record, b.record) || a.run - b.run) < 0;

/** A binary min-heap of run heads: memory is one row per run. */
class RunHeap {
  readonly items: Head[] = [];
  push(head: Head) {
    const h = this.items;
    h.push(head);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): Head | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * K-way merge of sorted runs in lake order, each id once: copies of one event are adjacent
 * (same user, time and id) and the first is kept; an id seen earlier under another sort key is
 * caught by the hash set; `excluded` ids are held by kept batch files.
 */
export async function* mergeRuns(runs: AsyncGenerator<LocationRecord>[], expectedIds: number, excluded: ReadonlySet<string>): AsyncGenerator<LocationRecord> {
  const heap = new RunHeap();
  const advance = async (run: number, rest: AsyncGenerator<LocationRecord>) => {
    const next = await rest.next();
    if (!next.done) heap.push({ record: next.value, run, rest });
  };
  for (const [i, run] of runs.entries()) await advance(i, run);
  const seen = new IdHashSet(expectedIds);
  let previous: string | undefined;
  for (let head = heap.pop(); head; head = heap.pop()) {
    const { record } = head;
    await advance(head.run, head.rest);
    if (record.id === previous || excluded.has(record.id)) continue;
    previous = record.id;
    if (!seen.addHas(record.id)) yield record;
  }
}
