/**
 * GZIP through the platform's CompressionStream: native and off the JS thread in workerd and
 * Node, no WASM to bundle. Chosen by measurement over Snappy and ZSTD (docs/performance.md).
 */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
