import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES } from "../../src/queue-limits";
import { BindingRows, PART_ENTRIES } from "../../src/guard/binding-rows";
import { MAX_INDEX_KEYS, MinuteIndex, packEntries } from "../../src/guard/guard-index";
import { MAX_ROW_BYTES, RowTooLargeError, writeBoundedRows } from "../../src/guard/guard-storage";
import { planSends } from "../../src/guard/pack-plan";
import { shardName } from "../../src/guard/shard-layout";
import { SigningGuard } from "../../src/guard/signing-guard";
import { heldQueue, testEnv, until, type TestEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders, toHex } from "../fixtures/webhook";

const stubOf = (name: string) => env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName(name));

async function post(run: TestEnv, headers: Record<string, string>, body: unknown) {
  const request = new Request("https://edge.test/webhooks/radar", { method: "POST", headers, body: JSON.stringify(body) });
  const response = await worker.fetch(request, run, createExecutionContext());
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function idHashOf(signingId: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`signing-id\n${signingId}`));
  return toHex(new Uint8Array(digest).slice(0, 16));
}

/** A signing id that four shards place outside shard-0, where one shard placed it. */
async function idThatMoves(): Promise<string> {
  for (;;) {
    const id = crypto.randomUUID();
    if (shardName(await idHashOf(id), 4) !== "shard-0") return id;
  }
}

describe("resharding never forgets a binding younger than the window", () => {
  it("refuses a replay with another body after 1 → 4 shards while the old layout is consulted", async () => {
    const headers = await signedHeaders(undefined, await idThatMoves());
    expect((await post(testEnv({ SIGNING_GUARD_SHARDS: "1" }), headers, { event: makeEvent() })).status).toBe(202);
    const during = testEnv({ SIGNING_GUARD_SHARDS: "4", SIGNING_GUARD_PREVIOUS_SHARDS: `1@${new Date().toISOString()}` });
    const replay = await post(during, headers, { event: makeEvent() });
    expect(replay).toMatchObject({ status: 401, json: { error: { code: "signature_replayed" } } });
    expect(during.INGEST_QUEUE.sent).toHaveLength(0);
  });

  it("would forget it without the previous layout, and stops consulting it once the window has passed", async () => {
    const headers = await signedHeaders(undefined, await idThatMoves());
    expect((await post(testEnv({ SIGNING_GUARD_SHARDS: "1" }), headers, { event: makeEvent() })).status).toBe(202);
    const longAgo = new Date(Date.now() - 25 * 3_600_000).toISOString();
    expect((await post(testEnv({ SIGNING_GUARD_SHARDS: "4", SIGNING_GUARD_PREVIOUS_SHARDS: `1@${longAgo}` }), headers, { event: makeEvent() })).status).toBe(202);
  });

  it.each([["0"], ["2.5"], ["many"]])("fails closed (503) on SIGNING_GUARD_SHARDS=%s", async (shards) => {
    expect((await post(testEnv({ SIGNING_GUARD_SHARDS: shards }), await signedHeaders(), { event: makeEvent() })).status).toBe(503);
  });
});

describe("a shard restarted mid-burst", () => {
  it("answers 503 to the requests it held, keeps written bindings, and takes their retries", async () => {
    const run = testEnv({ INGEST_QUEUE: heldQueue() }) as TestEnv & { INGEST_QUEUE: ReturnType<typeof heldQueue> };
    const shard = stubOf("shard-0");
    const firstHeaders = await signedHeaders();
    const first = post(run, firstHeaders, { event: makeEvent() });
    await until(() => run.INGEST_QUEUE.held.length === 1, "the first send");
    const burst = await Promise.all(Array.from({ length: 20 }, async () => ({ headers: await signedHeaders(), body: { event: makeEvent() } })));
    const answers = burst.map((r) => post(run, r.headers, r.body));
    await until(async () => (await shard.getStats()).waiting === 21, "20 waiting requests");
    run.INGEST_QUEUE.held[0]!.decision = true;
    expect((await first).status).toBe(202);
    await until(() => run.INGEST_QUEUE.held.length === 2, "the burst's send");
    await until(async () => (await shard.getStats()).pending === 0, "bindings written");
    await runInDurableObject(shard, (_instance, state) => state.abort("restart mid-burst")).catch(() => {});
    const statuses = (await Promise.all(answers)).map((a) => a.status);
    expect(statuses).toEqual(Array(20).fill(503));
    // Radar's retries (same pair, same body) reach the new instance and are accepted.
    const retried = testEnv();
    expect((await Promise.all(burst.map((r) => post(retried, r.headers, r.body)))).map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(retried.INGEST_QUEUE.sent).toHaveLength(20);
    // The first request's binding was written before the restart: a forgery on its pair is refused.
    expect((await post(testEnv(), firstHeaders, { event: makeEvent() })).status).toBe(401);
  });
});

const randomHex = (chars: number) => toHex(crypto.getRandomValues(new Uint8Array(chars / 2)));

describe("storage rows stay under the production 2 MB limit", () => {
  it("refuses a row over 2 MB and rolls the write back, as production does", async () => {
    await runInDurableObject(stubOf("row-limit"), (_instance, state) => {
      state.storage.sql.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      const upsert = "INSERT INTO t (k, v) VALUES (1, ?) ON CONFLICT(k) DO UPDATE SET v = t.v || excluded.v RETURNING length(v) AS bytes";
      writeBoundedRows(state.storage, [{ query: upsert, params: ["a".repeat(1_100_000)] }]);
      expect(() => writeBoundedRows(state.storage, [{ query: upsert, params: ["b".repeat(1_100_000)] }])).toThrow(RowTooLargeError);
      expect(state.storage.sql.exec<{ n: number }>("SELECT length(v) AS n FROM t").one().n).toBe(1_100_000);
      expect(() => writeBoundedRows(state.storage, [{ query: upsert, params: ["c".repeat(MAX_ROW_BYTES + 1)] }])).toThrow(RowTooLargeError);
    });
  });

  it("splits a minute of 40,000 bindings over parts each under 2 MB, and a fresh instance finds the last", async () => {
    const result = await runInDurableObject(stubOf("heavy-minute"), async (_instance, state) => {
      const guard = new SigningGuard(state, { ...env, SIGNING_GUARD_COALESCE_MS: "50" });
      await state.blockConcurrencyWhile(async () => {});
      const ids = Array.from({ length: 40_000 }, () => randomHex(32));
      for (const id of ids) await guard.bind(id, "1".repeat(32));
      await until(() => guard.getStats().pending === 0, "the flush", 20_000);
      const rows = state.storage.sql.exec<{ bytes: number }>("SELECT length(ids) + length(entries) AS bytes FROM parts").toArray();
      const fresh = new SigningGuard(state, env);
      await state.blockConcurrencyWhile(async () => {});
      return { stats: guard.getStats(), rows: rows.map((r) => r.bytes), verdict: await fresh.bind(ids.at(-1)!, "2".repeat(32)) };
    });
    expect(result.stats.failedFlushes).toBe(0);
    expect(result.rows.length).toBe(Math.ceil(40_000 / PART_ENTRIES));
    expect(Math.max(...result.rows)).toBeLessThanOrEqual(MAX_ROW_BYTES / 2);
    expect(result.verdict).toBe("different");
  });

  it("keeps every row of a busy minute at most 72,000 chars, so a flush appending to one rewrites little", async () => {
    // SQLite rewrites a row whole on each append: rows that grew to 0.9 MB cost the shard's flush
    // 0.09 ms of CPU per request at 619–660 requests/s (docs/performance.md, A/B of 2026-12-03 about 20:22 UTC).
    const result = await runInDurableObject(stubOf("steady-minute"), (_instance, state) => {
      const rows = new BindingRows(state.storage);
      const minute = Math.floor(Date.now() / 60_000);
      rows.load(new MinuteIndex(), minute, MAX_INDEX_KEYS);
      const largest = () => state.storage.sql.exec<{ chars: number }>("SELECT max(length(ids) + length(entries)) AS chars FROM parts").one().chars;
      const sizes: number[] = [];
      let last = { idHash: "", bodyHash: "" };
      for (let flush = 0; flush < 60; flush++) {
        const entries = Array.from({ length: 650 }, () => ({ idHash: randomHex(32), bodyHash: randomHex(32) }));
        last = entries.at(-1)!;
        rows.append(packEntries(entries), minute);
        sizes.push(largest());
      }
      const count = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM parts").one().n;
      return { largest: Math.max(...sizes), count, found: rows.find(last.idHash, minute) === last.bodyHash };
    });
    expect(result.largest).toBeLessThanOrEqual(72_000);
    expect(result.count).toBe(Math.ceil((60 * 650) / PART_ENTRIES));
    expect(result.found).toBe(true);
  });
});

describe("queue limits of a packed send", () => {
  it("keeps every message ≤ 128,000 B and every sendBatch ≤ 100 messages and 256,000 B, metadata counted", () => {
    const sizes = [300, 1_800, 40_000, 120_000, 900];
    const requests = Array.from({ length: 400 }, (_, r) => {
      const bytes = Array.from({ length: 1 + (r % 5) }, (_, i) => sizes[(r + i) % sizes.length]!);
      return { json: bytes.map((b) => "x".repeat(b - 1)), bytes };
    });
    const sends = planSends(requests);
    const enc = (s: string) => new TextEncoder().encode(s).byteLength + MESSAGE_OVERHEAD_BYTES;
    for (const send of sends) {
      expect(send.messages.length).toBeLessThanOrEqual(MAX_BATCH_MESSAGES);
      expect(send.messages.every((m) => enc(m) <= MAX_MESSAGE_BYTES)).toBe(true);
      expect(send.messages.reduce((n, m) => n + enc(m), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    expect(new Set(sends.flatMap((s) => [...s.carries])).size).toBe(400);
  });
});
