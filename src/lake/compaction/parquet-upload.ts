import { createLocationParquetWriter, toColumns } from "../../sinks/lake-parquet";
import { LAKE_SCHEMA_VERSION, type LocationRecord } from "../../normalize";
import type { CompactionConfig } from "./config";
import { PartWriter } from "./part-writer";

/**
 * Writes sorted rows as Parquet files of about `targetFileBytes` each, row group by row group,
 * through multipart uploads: memory is one row group plus one part, whatever the hour's size.
 * `keyOf(n)` names file n. Returns the keys and rows written, and each file's rows and bytes.
 */
export async function uploadParquetFiles(bucket: R2Bucket, rows: AsyncIterable<LocationRecord>, config: CompactionConfig, keyOf: (file: number) => string, metadata: Record<string, string>) {
  const files: string[] = [];
  const sizes: Array<{ key: string; recordCount: number; fileSizeBytes: number }> = [];
  let total = 0;
  let current: { writer: ReturnType<typeof createLocationParquetWriter>; parts: PartWriter; upload: R2MultipartUpload } | undefined;
  let group: LocationRecord[] = [];
  const flushGroup = async () => {
    if (!current) {
      const key = keyOf(files.length);
      const upload = await bucket.createMultipartUpload(key, { httpMetadata: { contentType: "application/vnd.apache.parquet" }, customMetadata: { ...metadata, schema_version: LAKE_SCHEMA_VERSION } });
      current = { writer: createLocationParquetWriter(), parts: new PartWriter(upload, config.partBytes), upload };
      files.push(key);
      await current.parts.write(current.writer.start());
    }
    await current.parts.write(await current.writer.writeRowGroup(toColumns(group)));
    total += group.length;
    group = [];
    if (current.writer.bytesWritten >= config.targetFileBytes) await closeFile();
  };
  const closeFile = async () => {
    await current!.parts.write(current!.writer.finish());
    await current!.parts.complete();
    sizes.push({ key: files.at(-1)!, recordCount: current!.writer.rowsWritten, fileSizeBytes: current!.writer.bytesWritten });
    current = undefined;
  };
  try {
    for await (const row of rows) if (group.push(row) >= config.rowGroupRows) await flushGroup();
    if (group.length) await flushGroup();
    if (current) await closeFile();
  } catch (err) {
    await current?.upload.abort().catch(() => undefined);
    throw err;
  }
  return { files, sizes, rows: total };
}
