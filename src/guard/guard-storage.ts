/**
 * Durable Object SQLite refuses a string, BLOB or row over 2 MB in production, but local workerd
 * does not. Every guard write goes through here, so tests see the refusal production would give.
 */
export const MAX_ROW_BYTES = 2_000_000;

export class RowTooLargeError extends Error {
  constructor(bytes: number) {
    super(`SQLite row of ${bytes} B exceeds the ${MAX_ROW_BYTES} B limit of Durable Object storage`);
  }
}

/**
 * Runs upserts in one transaction; each statement must end in `RETURNING <row size> AS bytes`.
 * A row over the limit rolls the whole transaction back and throws, as production does.
 * Returns the rows written.
 */
export function writeBoundedRows(storage: DurableObjectStorage, statements: Array<{ query: string; params: unknown[] }>): number {
  return storage.transactionSync(() => {
    let written = 0;
    for (const { query, params } of statements) {
      for (const p of params) if (typeof p === "string" && p.length > MAX_ROW_BYTES) throw new RowTooLargeError(p.length);
      const cursor = storage.sql.exec<{ bytes: number }>(query, ...params);
      for (const row of cursor) if (row.bytes > MAX_ROW_BYTES) throw new RowTooLargeError(row.bytes);
      written += cursor.rowsWritten;
    }
    return written;
  });
}
