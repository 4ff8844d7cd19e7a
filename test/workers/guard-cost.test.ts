import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_COALESCE_MS, SigningGuard } from "../../src/guard/signing-guard";

/**
 * Measures what the guard's bill depends on (docs/performance.md, bench/lib/cost.mjs): SQLite rows
 * written per event, wall time with a check in flight, wall time the object is active (checks in
 * flight or a write pending: an upper bound of billed duration under steady traffic) and storage
 * bytes per entry, on the real Durable Object at the default window.
 * Skipped in `npm test`; run it with
 *   GUARD_COST_SECONDS=30 npx vitest run test/workers/guard-cost.test.ts --silent=false
 */
const SECONDS = Number((env as unknown as { GUARD_COST_SECONDS?: string }).GUARD_COST_SECONDS || 0);
const RATES = [5, 20, 100];

/** Seeded so every run draws the same Poisson arrivals (independent drivers, not a metronome). */
function exponentialGaps(seed: number, meanMs: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return -Math.log(1 - u) * meanMs;
  };
}

async function randomIdHash(): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Total time during which at least one check was waiting, from [start, end] intervals. */
function busyMs(intervals: Array<[number, number]>): number {
  const sorted = intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = sorted[0] ?? [0, 0];
  for (const [start, end] of sorted) {
    if (start > to) {
      total += to - from;
      [from, to] = [start, end];
    } else to = Math.max(to, end);
  }
  return total + (to - from);
}

async function measureRate(rate: number) {
  const stub = env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName(`cost-${rate}-${crypto.randomUUID()}`));
  return runInDurableObject(stub, async (_instance, state) => {
    const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: String(DEFAULT_COALESCE_MS) });
    const gap = exponentialGaps(rate, 1000 / rate);
    const intervals: Array<[number, number]> = [];
    const checks: Promise<unknown>[] = [];
    const events = rate * SECONDS;
    const started = Date.now();
    let due = started;
    for (let i = 0; i < events; i++) {
      const begin = Date.now();
      checks.push(guard.bind(await randomIdHash(), "1".repeat(32)).then(() => void intervals.push([begin, Date.now()])));
      // Arrivals are scheduled from the start, so a slow iteration does not lower the rate.
      due += gap();
      await scheduler.wait(Math.max(0, due - Date.now()));
    }
    await Promise.all(checks);
    while (guard.getStats().pending > 0) await scheduler.wait(10);
    const stats = guard.getStats();
    const elapsedS = (Date.now() - started) / 1000;
    return {
      rate_per_s: rate,
      achieved_rate_per_s: +(events / elapsedS).toFixed(1),
      events,
      rows_written: stats.rowsWritten,
      rows_written_per_event: +(stats.rowsWritten / events).toFixed(4),
      in_flight_s_per_event: +(busyMs(intervals) / 1000 / events).toFixed(5),
      active_s_per_event: +(elapsedS / events).toFixed(5),
    };
  });
}

/** Storage per binding: one large flush, so SQLite's page overhead is amortized. */
async function measureBytesPerEntry(entries: number) {
  const stub = env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName(`cost-bytes-${crypto.randomUUID()}`));
  return runInDurableObject(stub, async (_instance, state) => {
    const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: "100" });
    await state.blockConcurrencyWhile(async () => {});
    const before = state.storage.sql.databaseSize;
    const ids = await Promise.all(Array.from({ length: entries }, randomIdHash));
    await Promise.all(ids.map((id) => guard.bind(id, "1".repeat(32))));
    while (guard.getStats().pending > 0) await scheduler.wait(10);
    return { entries, bytes_per_entry: +((state.storage.sql.databaseSize - before) / entries).toFixed(1) };
  });
}

describe.skipIf(!SECONDS)("signing guard cost measurement", () => {
  it("measures rows written, in-flight time and storage per event", { timeout: (SECONDS + 60) * 1000 }, async () => {
    const rates = await Promise.all(RATES.map(measureRate));
    const storage = await measureBytesPerEntry(20_000);
    console.log(JSON.stringify({ window_ms: DEFAULT_COALESCE_MS, seconds: SECONDS, rates, storage }));
    for (const r of rates) expect(r.rows_written_per_event).toBeLessThanOrEqual(1);
  });
});
