/** The next row of one sorted stream; `run` is the stream's position among those merged. */
export interface Head<T> {
  value: T;
  run: number;
  rest: AsyncIterator<T>;
}

/**
 * A binary min-heap of stream heads for k-way merges: memory is one row per stream. Ties go to
 * the lower run, so a merge is stable in run order.
 */
class RunHeap<T> {
  private readonly items: Head<T>[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  private before(a: Head<T>, b: Head<T>): boolean {
    return (this.compare(a.value, b.value) || a.run - b.run) < 0;
  }

  /** Pulls the stream's next row into the heap; an ended stream just drops out. */
  async advance(run: number, rest: AsyncIterator<T>): Promise<void> {
    const next = await rest.next();
    if (!next.done) this.push({ value: next.value, run, rest });
  }

  push(head: Head<T>): void {
    const h = this.items;
    h.push(head);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): Head<T> | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Merges sorted streams into one sorted stream (ties in stream order), pulling one row at a time. */
export async function* mergeSorted<T>(streams: AsyncIterator<T>[], compare: (a: T, b: T) => number): AsyncGenerator<Head<T>> {
  const heap = new RunHeap(compare);
  for (const [run, rest] of streams.entries()) await heap.advance(run, rest);
  for (let head = heap.pop(); head; head = heap.pop()) {
    await heap.advance(head.run, head.rest);
    yield head;
  }
}
