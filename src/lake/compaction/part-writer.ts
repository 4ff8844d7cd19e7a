/**
 * Streams bytes into an R2 multipart upload in equal parts (R2 requires it), the last part
 * smaller, through one reused part buffer: memory is one part whatever the file size.
 */
export class PartWriter {
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

/** Uploads a stream of byte chunks as one object of any size; a failed upload is aborted. */
export async function uploadChunks(bucket: R2Bucket, key: string, chunks: AsyncIterable<Uint8Array>, partBytes: number, options?: R2MultipartOptions): Promise<void> {
  const upload = await bucket.createMultipartUpload(key, options);
  try {
    const parts = new PartWriter(upload, partBytes);
    for await (const chunk of chunks) await parts.write(chunk);
    await parts.complete();
  } catch (err) {
    await upload.abort().catch(() => undefined);
    throw err;
  }
}
