/**
 * The two object calls the table format makes. R2Bucket satisfies it; so does a Map-backed store
 * in Node tests (scripts can use one over files), where the independent readers (icebird,
 * fastavro) check what we wrote.
 */
export interface TableBucket {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  put(key: string, value: Uint8Array): Promise<unknown>;
}
