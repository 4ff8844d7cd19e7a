export const HOUR_MS = 3_600_000;

/** Instants whose UTC year has four digits; outside them toISOString gives `+010000-…` or `-000001-…`. */
const FIRST_PARTITION_MS = Date.parse("0000-01-01T00:00:00.000Z");
const LAST_PARTITION_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether `ms` has a `dt=YYYY-MM-DD/hour=HH` partition (UTC year 0000–9999). */
export function hasHourPartition(ms: number): boolean {
  return ms >= FIRST_PARTITION_MS && ms <= LAST_PARTITION_MS;
}

/**
 * `dt=YYYY-MM-DD/hour=HH` of a UTC epoch-ms instant. Throws outside years 0000–9999, so no
 * malformed key (which breaks every hive-partitioned scan of the lake) can ever be written.
 */
export function hourPartition(ms: number): string {
  if (!hasHourPartition(ms)) throw new RangeError(`no hour partition for ${ms}: UTC year outside 0000–9999`);
  const iso = new Date(ms).toISOString();
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** Unique, never reused object name: write time plus a random suffix. */
export function uniqueName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, "");
  return `${stamp}-${crypto.randomUUID()}`;
}
