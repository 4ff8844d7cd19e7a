import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { limitClock } from "../fixtures/limits/r2-write-rate";

/** The harness itself (test/fixtures/limits/): each limit refuses what production refuses, on the real bindings. */
describe("production-limits harness on the env every test uses", () => {
  const body = (bytes: number) => ({ pad: "x".repeat(bytes - 10 - 100) }); // JSON `{"pad":""}` is 10 B, metadata 100 B

  it("refuses a queue message over 128,000 B counting ~100 B of metadata, and accepts one at the limit", async () => {
    await expect(env.INGEST_QUEUE.send(body(128_001))).rejects.toThrow(/message too large/);
    await expect(env.INGEST_QUEUE.sendBatch([{ body: body(128_001) }])).rejects.toThrow(/message too large/);
  });

  it("refuses a sendBatch of 101 messages, or over 256,000 B with metadata (which the local broker accepts up to 288,000 B)", async () => {
    await expect(env.INGEST_QUEUE.sendBatch(Array.from({ length: 101 }, () => ({ body: {} })))).rejects.toThrow(/101 messages/);
    // 100 bodies of 2,500 B: 250,000 B of JSON, 260,000 B with metadata.
    await expect(env.INGEST_QUEUE.sendBatch(Array.from({ length: 100 }, () => ({ body: body(2_600) })))).rejects.toThrow(/batch too large \(260000 B/);
  });

  it("refuses a second write of one R2 key within a second with R2's 429 (code 10058), put and delete alike", async () => {
    await env.LAKE_BUCKET.put("limits/a", "1");
    await expect(env.LAKE_BUCKET.put("limits/a", "2")).rejects.toMatchObject({ code: 10058, status: 429, message: expect.stringMatching(/^put: .*\(10058\)/) });
    await expect(env.LAKE_BUCKET.delete("limits/a")).rejects.toMatchObject({ code: 10058 });
    await env.LAKE_BUCKET.put("limits/b", "1"); // other keys are not affected
    limitClock.advance(1_000);
    await env.LAKE_BUCKET.delete("limits/a");
    expect(await env.LAKE_BUCKET.get("limits/a")).toBeNull();
  });

  it("refuses a Durable Object SQLite string or row over 2 MB", async () => {
    const stub = env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName("limits-test"));
    await runInDurableObject(stub, (_guard, state: DurableObjectState) => {
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
      expect(() => sql.exec("INSERT INTO t VALUES (1, ?)", "x".repeat(2 * 1024 * 1024 + 1))).toThrow(/SQLITE_TOOBIG/);
      sql.exec("INSERT INTO t VALUES (2, ?)", "x".repeat(1024 * 1024));
      expect(() => sql.exec("UPDATE t SET v = v || ? WHERE k = 2", "y".repeat(1024 * 1024 + 1))).toThrow(/row of t reached/);
      expect(() => sql.exec(`SELECT ${Array(101).fill("?").join(",")}`, ...Array(101).fill(1))).toThrow(/SQLITE_RANGE/);
    });
  });
});
