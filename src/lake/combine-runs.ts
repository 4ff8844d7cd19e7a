import { readRun, streamRun, type RunCodec } from "./run-files";
import { mergeSorted } from "./run-heap";

async function* valuesOf<T>(heads: AsyncIterable<{ value: T }>): AsyncGenerator<T> {
  for await (const head of heads) yield head.value;
}

/**
 * Groups of neighbours to combine, one group per combined run: when the first few runs can
 * absorb the excess, only they are combined (each row combined costs a parse and a write),
 * otherwise all runs go into the fewest groups of at most `fanIn`, of near-equal size.
 */
function groupsOf(keys: string[], fanIn: number): string[][] {
  const excess = keys.length - fanIn + 1;
  if (excess <= fanIn) return [keys.slice(0, excess), ...keys.slice(excess).map((key) => [key])];
  const size = Math.ceil(keys.length / Math.ceil(keys.length / fanIn));
  return Array.from({ length: Math.ceil(keys.length / size) }, (_, g) => keys.slice(g * size, (g + 1) * size));
}

/**
 * Combines sorted runs until at most `fanIn` remain, so a merge never holds more than `fanIn`
 * open streams (each holds a body chunk) however big the hour. Groups are neighbours and merges
 * are stable, so ties still go to the earlier run (the first processed copy). Combined runs are
 * named `combinedKey(level, n)`, the same on a retry. Returns the keys to merge.
 */
export async function narrowRuns<T>(bucket: R2Bucket, codec: RunCodec<T>, keys: string[], fanIn: number, partBytes: number, combinedKey: (level: number, n: number) => string): Promise<string[]> {
  for (let level = 0; keys.length > fanIn; level++) {
    const combined: string[] = [];
    for (const group of groupsOf(keys, fanIn)) {
      if (group.length === 1) {
        combined.push(group[0]!);
        continue;
      }
      const key = combinedKey(level, combined.length);
      const merged = mergeSorted(group.map((k) => readRun(bucket, k, codec)), codec.compare);
      await streamRun(bucket, key, codec, valuesOf(merged), partBytes);
      combined.push(key);
    }
    keys = combined;
  }
  return keys;
}
