/** Small R2 helpers shared by the batch writer and the compaction steps. */

export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

/**
 * Every object under `prefix`, page by page, each reduced by `pick` as its page arrives: a
 * 2 M-event hour lists 40,000 objects, and whole R2Objects of that many would crowd the plan step.
 */
export async function listAll<T = R2Object>(bucket: R2Bucket, prefix: string, pick: (o: R2Object) => T = (o) => o as T, include?: "customMetadata"): Promise<T[]> {
  const objects: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, ...(include && { include: [include] }) });
    for (const o of page.objects) objects.push(pick(o));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects;
}

export const keyOf = (o: R2Object) => o.key;

/** Deletes keys 1,000 at a time (R2's per-call maximum). */
export async function deleteKeys(bucket: R2Bucket, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/**
 * Re-chunks a byte stream into slices of at most `size`, pulled on demand: a merge holds one
 * stream per run, so each holds one small slice of decoded text, not a whole body chunk.
 */
function sliced(body: ReadableStream<Uint8Array>, size = 8192): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let chunk: Uint8Array | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!chunk?.length) {
          const next = await reader.read();
          if (next.done) return controller.close();
          chunk = next.value;
        }
        controller.enqueue(chunk.subarray(0, size));
        chunk = chunk.subarray(size);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/**
 * Streams the lines of an NDJSON object (gzip or plain) without holding the whole text; null if
 * absent. Only for small gzip objects: a DecompressionStream may read its input ahead (Node's
 * does, whole), so objects read many at once (merge runs) are stored plain.
 */
export async function readLines(bucket: R2Bucket, key: string, gzipped: boolean): Promise<AsyncGenerator<string> | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  const bytes = sliced(object.body);
  return linesOf((gzipped ? bytes.pipeThrough(new DecompressionStream("gzip")) : bytes).pipeThrough(new TextDecoderStream()));
}

async function* linesOf(text: ReadableStream<string>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of text as unknown as AsyncIterable<string>) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) if (line) yield line;
  }
  if (rest) yield rest;
}

export async function readJson<T>(bucket: R2Bucket, key: string): Promise<T | null> {
  const object = await bucket.get(key);
  return object ? object.json<T>() : null;
}

export async function putJson(bucket: R2Bucket, key: string, value: unknown): Promise<void> {
  await bucket.put(key, JSON.stringify(value), { httpMetadata: { contentType: "application/json" } });
}
