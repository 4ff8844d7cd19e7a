import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { SigningGuard } from "../../src/guard/signing-guard";
import { readShardLayout, shardName } from "../../src/guard/shard-layout";
import { testEnv } from "../fixtures/queues";
import { DEV_TOKEN, hmacSha1, makeEvent, signedHeaders, toHex } from "../fixtures/webhook";

function recordingDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, dataset: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } as AnalyticsEngineDataset };
}

async function send(headers: Record<string, string>, body: string, overrides: Partial<Env> = {}) {
  const run = testEnv(overrides);
  const request = new Request("https://edge.test/webhooks/radar", { method: "POST", headers, body });
  const response = await worker.fetch(request, run, createExecutionContext());
  return { response, json: (await response.json()) as Record<string, any>, run };
}

const GUARD_SHARDS = (readShardLayout(env) as { count: number }).count;
const shards = () => Array.from({ length: GUARD_SHARDS }, (_, i) => env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName(`shard-${i}`)));
const sumStats = async () => (await Promise.all(shards().map((s) => s.getStats()))).reduce((a, s) => ({ flushes: a.flushes + s.flushes, rowsWritten: a.rowsWritten + s.rowsWritten }), { flushes: 0, rowsWritten: 0 });

const STREAM_EVENTS = 60;

/** Checks are answered before their write: wait until a shard has written everything it answered. */
async function settledStats() {
  for (let i = 0; i < 200; i++) {
    const all = await Promise.all(shards().map((s) => s.getStats()));
    if (all.every((s) => s.pending === 0)) return sumStats();
    await scheduler.wait(10);
  }
  throw new Error("guard never wrote its pending bindings");
}

describe("signing guard: a signing id is bound to its first body", () => {
  it("accepts Radar's re-delivery (same pair, same body) again with 202", async () => {
    const headers = await signedHeaders();
    const body = JSON.stringify({ event: makeEvent() });
    const first = await send(headers, body);
    const again = await send(headers, body);
    expect([first.response.status, again.response.status]).toEqual([202, 202]);
    expect(again.json.ids).toEqual(first.json.ids);
    expect(again.run.INGEST_QUEUE.sent).toHaveLength(1);
  });

  it("refuses the captured pair with another body: 401 signature_replayed, nothing enqueued, one metric point", async () => {
    const headers = await signedHeaders();
    expect((await send(headers, JSON.stringify({ event: makeEvent() }))).response.status).toBe(202);
    const { points, dataset } = recordingDataset();
    const forged = await send(headers, JSON.stringify({ event: makeEvent({ type: "user.entered_geofence" }) }), { METRICS: dataset });
    expect(forged.response.status).toBe(401);
    expect(forged.json).toEqual({ error: { code: "signature_replayed", message: expect.any(String) } });
    expect(forged.run.INGEST_QUEUE.sent).toHaveLength(0);
    expect(forged.run.FORWARD_QUEUE.sent).toHaveLength(0);
    // The body is validated before the guard now (the shard takes its envelopes), so the point names them.
    expect(points).toEqual([{ indexes: ["webhook"], blobs: ["webhook", "signature_replayed", "user.entered_geofence"], doubles: [1, 401] }]);
  });

  it("binds the exact bytes: the same JSON re-serialized with other spacing is another body", async () => {
    const headers = await signedHeaders();
    const event = makeEvent();
    expect((await send(headers, JSON.stringify({ event }))).response.status).toBe(202);
    expect((await send(headers, JSON.stringify({ event }, null, 1))).response.status).toBe(401);
  });

  it("lets only one of two concurrent different bodies through on the same pair", async () => {
    const headers = await signedHeaders();
    const results = await Promise.all([1, 2].map(() => send(headers, JSON.stringify({ event: makeEvent() }))));
    expect(results.map((r) => r.response.status).sort()).toEqual([202, 401]);
  });

  it("writes exactly one SQLite row per flush on the webhook path", async () => {
    const before = await settledStats();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await send(await signedHeaders(), JSON.stringify({ event: makeEvent() }))).response.status),
    );
    const after = await settledStats();
    expect(statuses.every((s) => s === 202)).toBe(true);
    expect(after.flushes - before.flushes).toBeGreaterThan(0);
    expect(after.rowsWritten - before.rowsWritten).toBe(after.flushes - before.flushes);
  });

  it("packs all checks that arrive within the coalescing window into one row written", async () => {
    const stats = await runInDurableObject(shards()[0]!, async (_instance, state) => {
      const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: "100" });
      const ids = await Promise.all(Array.from({ length: 50 }, () => hashOf(crypto.randomUUID())));
      const verdicts = await Promise.all(ids.map((id) => guard.bind(id, "1".repeat(32))));
      const replays = await Promise.all(ids.slice(0, 5).map((id) => guard.bind(id, "2".repeat(32))));
      await scheduler.wait(300);
      return { verdicts: new Set(verdicts), replays: new Set(replays), ...guard.getStats() };
    });
    expect(stats).toMatchObject({ verdicts: new Set(["new"]), replays: new Set(["different"]), flushes: 1, rowsWritten: 1 });
  });

  it("packs a steady 20 events/s stream at a 250 ms window into several events per row", async () => {
    const stats = await runInDurableObject(shards()[0]!, async (_instance, state) => {
      const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: "250" });
      const checks: Promise<unknown>[] = [];
      for (let i = 0; i < STREAM_EVENTS; i++) {
        checks.push(guard.bind(await hashOf(crypto.randomUUID()), "1".repeat(32)));
        await scheduler.wait(50);
      }
      await Promise.all(checks);
      await scheduler.wait(400);
      return guard.getStats();
    });
    expect(stats.pending).toBe(0);
    // Poisson arrivals would give 1 + 20 × 0.25 = 6; evenly spaced ones about 5.
    expect(STREAM_EVENTS / stats.rowsWritten).toBeGreaterThanOrEqual(4);
  });

  it("rebuilds its index from storage: a fresh instance on the same storage still refuses the forgery", async () => {
    const headers = await signedHeaders();
    expect((await send(headers, JSON.stringify({ event: makeEvent() }))).response.status).toBe(202);
    await settledStats();
    const idHash = await hashOf(`signing-id\n${headers["x-radar-signing-id"]}`);
    const shard = env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName(shardName(idHash, GUARD_SHARDS)));
    const verdicts = await runInDurableObject(shard, async (_instance, state) => {
      const fresh = new SigningGuard(state, env);
      await state.blockConcurrencyWhile(async () => {});
      return [await fresh.bind(idHash, "0".repeat(32)), fresh.getStats().entries];
    });
    expect(verdicts[0]).toBe("different");
    expect(verdicts[1]).toBeGreaterThan(0);
  });

  it("answers a check at once, without waiting for the coalescing window", async () => {
    const outcome = await runInDurableObject(shards()[0]!, async (_instance, state) => {
      const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: "2000" });
      const verdict = guard.bind(await hashOf(crypto.randomUUID()), "1".repeat(32));
      const first = await Promise.race([verdict, scheduler.wait(1_000).then(() => "waited")]);
      return [first, guard.getStats().pending];
    });
    expect(outcome).toEqual(["new", 1]);
  });

  it("keeps answered bindings when a write fails, refuses checks until storage is back, then writes them", async () => {
    const ids = await Promise.all(Array.from({ length: 3 }, () => hashOf(crypto.randomUUID())));
    const shard = shards()[0]!;
    const during = await runInDurableObject(shard, async (_instance, state) => {
      const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: "10" });
      await state.blockConcurrencyWhile(async () => {});
      // The shard's rows write through this storage; swap it for one that refuses every statement.
      const rows = (guard as unknown as { rows: { storage: DurableObjectStorage } }).rows;
      const failingSql = { exec: () => { throw new Error("string or blob too big"); } };
      Object.assign(rows, { storage: { sql: failingSql, transactionSync: (fn: () => unknown) => fn() } });
      const verdicts = await Promise.all(ids.map((id) => guard.bind(id, "1".repeat(32))));
      await scheduler.wait(50);
      const refused = await guard.bind(await hashOf(crypto.randomUUID()), "1".repeat(32)).then(() => "answered", () => "refused");
      Object.assign(rows, { storage: state.storage });
      await scheduler.wait(1_200); // the retry pace after a failed write
      return { verdicts, refused, ...guard.getStats() };
    });
    expect(during).toMatchObject({ verdicts: ["new", "new", "new"], refused: "refused", pending: 0 });
    expect(during.failedFlushes).toBeGreaterThan(0);
    const afterRestart = await runInDurableObject(shard, async (_instance, state) => {
      const fresh = new SigningGuard(state, env);
      await state.blockConcurrencyWhile(async () => {});
      return Promise.all(ids.map((id) => fresh.bind(id, "2".repeat(32))));
    });
    expect(afterRestart).toEqual(["different", "different", "different"]);
  });
});

async function hashOf(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return toHex(digest.slice(0, 16));
}

describe("signing guard unavailable", () => {
  const failing = { idFromName: () => ({}), get: () => ({ submit: async () => Promise.reject(new Error("guard down")) }) } as unknown as Env["SIGNING_GUARD"];

  it("fails closed by default: 503 guard_unavailable with Retry-After, nothing enqueued", async () => {
    const { response, json, run } = await send(await signedHeaders(), JSON.stringify({ event: makeEvent() }), { SIGNING_GUARD: failing });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(json.error.code).toBe("guard_unavailable");
    expect(run.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it.each([["unset", undefined], ["a typo", "opne"]])("fails closed when SIGNING_GUARD_FAILURE_MODE is %s", async (_, mode) => {
    const { response } = await send(await signedHeaders(), JSON.stringify({ event: makeEvent() }), { SIGNING_GUARD: failing, SIGNING_GUARD_FAILURE_MODE: mode as Env["SIGNING_GUARD_FAILURE_MODE"] });
    expect(response.status).toBe(503);
  });

  it("fails closed when the binding is missing", async () => {
    const { response } = await send(await signedHeaders(), JSON.stringify({ event: makeEvent() }), { SIGNING_GUARD: undefined as unknown as Env["SIGNING_GUARD"] });
    expect(response.status).toBe(503);
  });

  it('accepts unbound with SIGNING_GUARD_FAILURE_MODE="open", and counts the bypass', async () => {
    const { points, dataset } = recordingDataset();
    const { response, run } = await send(await signedHeaders(), JSON.stringify({ event: makeEvent() }), { SIGNING_GUARD: failing, SIGNING_GUARD_FAILURE_MODE: "open", METRICS: dataset });
    expect(response.status).toBe(202);
    expect(run.INGEST_QUEUE.sent).toHaveLength(1);
    expect(points[0]!.blobs).toEqual(["webhook", "guard_bypassed", ""]);
  });
});

describe("legacy signature bound to the whole body", () => {
  const legacyOn = { RADAR_ACCEPT_LEGACY_SIGNATURE: "true" };

  it("refuses a captured legacy pair carrying extra events (401), accepts its re-delivery", async () => {
    const first = makeEvent();
    const headers = { "content-type": "application/json", "x-radar-signature": toHex(await hmacSha1(DEV_TOKEN, first._id as string)) };
    const body = JSON.stringify({ events: [first] });
    expect((await send(headers, body, legacyOn)).response.status).toBe(202);
    expect((await send(headers, body, legacyOn)).response.status).toBe(202);
    const forged = await send(headers, JSON.stringify({ events: [first, ...Array.from({ length: 99 }, () => makeEvent())] }), legacyOn);
    expect(forged.response.status).toBe(401);
    expect(forged.run.INGEST_QUEUE.sent).toHaveLength(0);
  });
});
