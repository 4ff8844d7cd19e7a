import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { icebergRead } from "icebird";
import { latestTableMetadata } from "../../scripts/lib/lake-table.mjs";

/**
 * Reads the Iceberg table of a pulled lake folder with icebird, an independent reader (metadata,
 * Avro manifests and Parquet all decoded by its own code). icebird fetches `s3://<bucket>/<key>`
 * as https://<bucket>.s3.amazonaws.com/<key>; those requests are answered from the folder.
 */
export async function readTableWithIcebird(lakeDir: string): Promise<Record<string, unknown>[]> {
  const latest = latestTableMetadata(lakeDir);
  if (!latest) throw new Error(`no table in ${lakeDir}`);
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const path = join(lakeDir, decodeURIComponent(url.pathname.slice(1)));
    if (!url.hostname.endsWith(".s3.amazonaws.com") || !existsSync(path)) return new Response(null, { status: 404 });
    const bytes = readFileSync(path);
    const range = /bytes=(\d+)-(\d*)/.exec(new Headers(init?.headers).get("range") ?? "");
    if (!range) return new Response(bytes);
    return new Response(bytes.subarray(Number(range[1]), range[2] ? Number(range[2]) + 1 : bytes.byteLength), { status: 206 });
  }) as typeof fetch;
  try {
    return await icebergRead({ tableUrl: latest.metadata.location, metadata: latest.metadata });
  } finally {
    globalThis.fetch = realFetch;
  }
}
