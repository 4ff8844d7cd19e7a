import { createLocationParquetWriter, toColumns } from "../sinks/lake-parquet";
import { LAKE_SCHEMA_VERSION, type LocationRecord } from "../normalize";
import type { CompactionConfig } from "./config";

/**
 * Streams bytes into an R2 multipart upload in equal parts (R2 requires it), the last part
 * smaller, through one reused part buffer: memory is one part whatever the file size.
 */
class PartWriter {
  private readonly part: Uint8Array;
  private filled = 0;
  private readonly parts: R2UploadedPart[] = [];
  constructor(private readonly upload: R2MultipartUpload, partBytes: number) {
    this.part = new Uint8Array(partBytes);
  }

  async write(bytes: Uint8Array) {
    for (let offset = 0; offset < bytes.length; ) {
      const n = Math.min(bytes.length - offset, this.part.length - this.filled);
      this.part.set(bytes.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.part.length) await this.flush();
    }
  }

  // uploadPart has sent the bytes once it resolves, so the buffer can be refilled.
  private async flush() {
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.part.subarray(0, this.filled)));
    this.filled = 0;
  }

  async complete() {
    if (this.filled > 0 || this.parts.length === 0) await this.flush();
    await this.upload.complete(this.parts);
  }
}

/**
 * Writes sorted rows as Parquet files of about `targetFileBytes` each, row group by row group,
 * through multipart uploads: memory is one row group plus one part, whatever the hour's size.
 * `keyOf(n)` names file n. Returns the keys and rows written.
 */
export async function uploadParquetFiles(bucket: R2Bucket, rows: AsyncIterable<LocationRecord>, config: CompactionConfig, keyOf: (file: number) => string, metadata: Record<string, string>) {
  const files: string[] = [];
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
  return { files, rows: total };
}
