export const HOUR_MS = 3_600_000;

/** `dt=YYYY-MM-DD/hour=HH` of a UTC epoch-ms instant. */
export function hourPartition(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

/** Unique, never reused object name: write time plus a random suffix. */
export function uniqueName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, "");
  return `${stamp}-${crypto.randomUUID()}`;
}
