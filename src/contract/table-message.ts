import * as z from "zod/mini";

/** One Parquet object as the table registers it (the DataFileInput of src/lake/table/). */
export const DataFile = z.object({
  key: z.string().check(z.minLength(1)),
  partition: z.string().check(z.regex(/^dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}$/)),
  recordCount: z.number().check(z.int(), z.nonnegative()),
  fileSizeBytes: z.number().check(z.int(), z.positive()),
});

/**
 * Messages of the table queue (`milk-table`), consumed by the single committer
 * (src/lake/table/commit/table-consumer.ts). `append`: Parquet files the lake writer wrote, sent
 * before it acks its own messages. `overwrite`: a finished compaction; what it removes can be
 * tens of thousands of keys, so the message names its change record (keys.ts tableChangeKey)
 * and stays far below the 128 KB message limit. `writtenAtMs` feeds the commit-lag metric.
 */
export const TableMessage = z.union([
  z.object({ v: z.literal(1), kind: z.literal("append"), files: z.array(DataFile).check(z.minLength(1), z.maxLength(100)), writtenAtMs: z.number() }),
  z.object({ v: z.literal(1), kind: z.literal("overwrite"), jobId: z.string().check(z.minLength(1)), partition: DataFile.shape.partition, writtenAtMs: z.number() }),
]);

/** What a compaction's overwrite changes, stored at tableChangeKey(partition, jobId). */
export const TableChangeRecord = z.object({ jobId: z.string(), partition: z.string(), add: z.array(DataFile), removeKeys: z.array(z.string()) });

export type DataFile = z.infer<typeof DataFile>;
export type TableMessage = z.infer<typeof TableMessage>;
export type TableChangeRecord = z.infer<typeof TableChangeRecord>;
