import { readRun, streamRun, type RunCodec } from "./run-files";
import { mergeSorted } from "./run-heap";

/** A run and the span of input runs it holds, `first`…`last` (a combined run holds several). */
interface SpanRun {
  key: string;
  first: number;
  last: number;
}

async function* valuesOf<T>(heads: AsyncIterable<{ value: T }>): AsyncGenerator<T> {
  for await (const head of heads) yield head.value;
}

/**
 * Groups of neighbours to combine, one group per combined run, each of at most `width` runs:
 * when the first few runs can absorb the excess over `target`, only they are combined (each row
 * combined costs a parse and a write), otherwise all runs go into groups of near-equal size.
 */
function groupsOf(runs: SpanRun[], target: number, width: number): SpanRun[][] {
  const excess = runs.length - target + 1;
  if (excess <= width) return [runs.slice(0, excess), ...runs.slice(excess).map((run) => [run])];
  const size = Math.ceil(runs.length / Math.ceil(runs.length / width));
  return Array.from({ length: Math.ceil(runs.length / size) }, (_, g) => runs.slice(g * size, (g + 1) * size));
}

/**
 * Combines sorted runs until at most `target` (≥ 1) remain, reading at most max(2, target) at
 * once, so a merge never holds more open streams (each holds a body chunk) however big the hour.
 * Groups are neighbours and merges are stable, so ties still go to the earlier run (the first
 * processed copy). A combined run is named `combinedKey(first, last)` after the input runs it
 * holds: its content depends on nothing else, so two merges of one job (a retry, a duplicate
 * delivery, another fan-in) that write the same name write the same rows. Returns the keys to merge.
 */
export async function narrowRuns<T>(bucket: R2Bucket, codec: RunCodec<T>, keys: string[], target: number, partBytes: number, combinedKey: (first: number, last: number) => string): Promise<string[]> {
  const width = Math.max(2, target);
  let runs: SpanRun[] = keys.map((key, i) => ({ key, first: i, last: i }));
  while (runs.length > target) {
    const combined: SpanRun[] = [];
    for (const group of groupsOf(runs, target, width)) {
      if (group.length === 1) {
        combined.push(group[0]!);
        continue;
      }
      const span = { first: group[0]!.first, last: group.at(-1)!.last };
      const key = combinedKey(span.first, span.last);
      const merged = mergeSorted(group.map((run) => readRun(bucket, run.key, codec)), codec.compare);
      await streamRun(bucket, key, codec, valuesOf(merged), partBytes);
      combined.push({ key, ...span });
    }
    runs = combined;
  }
  return runs.map((run) => run.key);
}
