import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import { CLAIM_LEASE_MS, CLAIM_PREFIX, MAX_REDRIVE_PER_CALL, claimParked } from "../../src/redrive";
import { listKeys } from "../fixtures/lake";
import { packEnvelopes } from "../../src/contract/packed-message";
import { limitClock } from "../fixtures/limits/r2-write-rate";
import { makeMessage, queued } from "../fixtures/messages";
import { makeEvent } from "../fixtures/webhook";
import { recordingQueue, testEnv, type RecordingQueue } from "../fixtures/queues";

const ADMIN = { authorization: "Bearer test-admin-token", "content-type": "application/json" };

async function park(count: number) {
  const bodies = Array.from({ length: count }, () => makeMessage());
  const batch = createMessageBatch("milk-ingest-dlq", bodies.map((b) => queued(b)));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(count);
  limitClock.advance(60_000); // an operator redrives after fixing the cause, not within R2's second per key
  return bodies.map((b) => b.id);
}

/** Runs later by more than a claim's lease (the route reads Date.now()). */
function afterLease() {
  const now = Date.now() + CLAIM_LEASE_MS + 1_000;
  vi.spyOn(Date, "now").mockReturnValue(now);
}

async function redrive(overrides: Partial<Env>) {
  const request = new Request("https://edge.test/admin/redrive", { method: "POST", headers: ADMIN, body: JSON.stringify({ queue: "ingest" }) });
  const response = await worker.fetch(request, testEnv(overrides), createExecutionContext());
  return { status: response.status, json: await response.json<Record<string, any>>() };
}

/** Sends per id, duplicates kept (a Set would hide exactly what this guards against). */
function sendCounts(queue: RecordingQueue): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of queue.sent) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  return counts;
}

function expectEachSentOnce(queue: RecordingQueue, ids: string[]) {
  expect(queue.sent).toHaveLength(ids.length);
  const counts = sendCounts(queue);
  for (const id of ids) expect(counts.get(id), id).toBe(1);
}

afterEach(() => vi.restoreAllMocks());

describe("redrive claims", () => {
  it("a create-only conditional put (onlyIf etagDoesNotMatch *) works in this runtime", async () => {
    const key = `claim-probe/${crypto.randomUUID()}`;
    expect(await env.LAKE_BUCKET.put(key, "first", { onlyIf: { etagDoesNotMatch: "*" } })).not.toBeNull();
    limitClock.advance(1_000); // R2 refuses (429) a second write of one key within a second
    expect(await env.LAKE_BUCKET.put(key, "second", { onlyIf: { etagDoesNotMatch: "*" } })).toBeNull();
    expect(await (await env.LAKE_BUCKET.get(key))!.text()).toBe("first");
  });

  it("of ten claims on one parked object at once, exactly one wins", async () => {
    const key = `dead-letter/probe/${crypto.randomUUID()}.json`;
    const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => claimParked(env.LAKE_BUCKET, key, `run-${i}`, Date.now())));
    expect(wins.filter(Boolean)).toEqual(["new"]); // the others were refused (held claim, or R2's 429 on a key written now)
  });

  it("a claim is a lease: held within it, taken over by exactly one run after it", async () => {
    const key = `dead-letter/probe/${crypto.randomUUID()}.json`;
    const start = Date.now();
    expect(await claimParked(env.LAKE_BUCKET, key, "run-dead", start)).toBe("new");
    limitClock.advance(CLAIM_LEASE_MS);
    expect(await claimParked(env.LAKE_BUCKET, key, "run-early", start + CLAIM_LEASE_MS - 1_000)).toBeNull();
    limitClock.advance(1_000);
    const late = start + CLAIM_LEASE_MS + 1_000;
    const takers = await Promise.all(Array.from({ length: 5 }, (_, i) => claimParked(env.LAKE_BUCKET, key, `run-${i}`, late)));
    expect(takers.filter(Boolean)).toEqual(["taken-over"]);
  });
});

describe("redrive is idempotent per parked object", () => {
  it("two redrives at once send each parked message exactly once; claims R2 refused to delete are left to their lease", async () => {
    const ids = await park(40);
    const target = recordingQueue();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const [a, b] = await Promise.all([redrive({ INGEST_QUEUE: target }), redrive({ INGEST_QUEUE: target })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.redriven + b.json.redriven).toBe(40);
    expectEachSentOnce(target, ids);
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/")).toEqual([]);
    // Deleting a claim milliseconds after writing it meets R2's 1 write/s per key (429): such claims
    // stay (the lifecycle rule on redrive-claims/ removes them) and guard nothing, since the parked copy is gone.
    const left = await listKeys(env.LAKE_BUCKET, `${CLAIM_PREFIX}dead-letter/ingest/`);
    expect(left.length).toBeLessThanOrEqual(40);
  });

  it(`sends at most ${MAX_REDRIVE_PER_CALL} per call and says there is more`, async () => {
    const ids = [...(await park(80)), ...(await park(80))];
    const target = recordingQueue();
    const first = await redrive({ INGEST_QUEUE: target });
    expect(first.json).toMatchObject({ redriven: MAX_REDRIVE_PER_CALL, more: true });
    expect((await redrive({ INGEST_QUEUE: target })).json).toMatchObject({ redriven: 160 - MAX_REDRIVE_PER_CALL, more: false });
    expectEachSentOnce(target, ids);
  });

  it("a send refused part-way answers 503; the next redrive sends only the rest", async () => {
    const ids = await park(10);
    const target = recordingQueue();
    let sends = 0;
    const failing = { ...target, send: async (body: unknown) => (++sends === 4 ? Promise.reject(new Error("simulated Queues outage")) : target.send(body)) } as unknown as Queue;
    vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await redrive({ INGEST_QUEUE: failing });
    expect(first.status).toBe(503);
    expect(first.json.error.code).toBe("queue_unavailable");
    expect(target.sent).toHaveLength(3);
    // The 4th message's claim could not be released (R2's 429: written milliseconds before), so it is held for one lease…
    const second = await redrive({ INGEST_QUEUE: target });
    expect(second.json).toMatchObject({ redriven: 6, claimed: 1, more: false });
    // …and taken over after it: never skipped forever.
    afterLease();
    const third = await redrive({ INGEST_QUEUE: target });
    expect(third.json).toMatchObject({ redriven: 1, takenOver: 1, claimed: 0, more: false });
    expectEachSentOnce(target, ids);
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/")).toEqual([]);
  });

  it("a run that crashed after claiming, before sending: the message is sent once the lease has passed", async () => {
    const [id] = await park(1);
    const [key] = await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/");
    expect(await claimParked(env.LAKE_BUCKET, key!, "run-that-crashed", Date.now())).toBe("new");
    const target = recordingQueue();
    expect((await redrive({ INGEST_QUEUE: target })).json).toMatchObject({ redriven: 0, claimed: 1 });
    limitClock.advance(CLAIM_LEASE_MS);
    afterLease();
    expect((await redrive({ INGEST_QUEUE: target })).json).toMatchObject({ redriven: 1, takenOver: 1, claimed: 0 });
    expectEachSentOnce(target, [id!]);
  });

  it("a run that dies after sending (parked copy not deleted): skipped for one lease, then sent again (at least once, never lost)", async () => {
    const ids = await park(3);
    const target = recordingQueue();
    let failedOnce = false;
    const bucket = new Proxy(env.LAKE_BUCKET, {
      get(real, prop) {
        if (prop !== "delete") return Reflect.get(real, prop).bind(real);
        return async (key: string) => {
          if (!failedOnce && key.startsWith("dead-letter/")) {
            failedOnce = true;
            throw new Error("simulated crash after send");
          }
          return real.delete(key);
        };
      },
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await redrive({ INGEST_QUEUE: target, LAKE_BUCKET: bucket })).status).toBe(500);
    const again = await redrive({ INGEST_QUEUE: target });
    expect(again.json).toMatchObject({ redriven: 2, claimed: 1 });
    expectEachSentOnce(target, ids);
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/")).toHaveLength(1);
    afterLease();
    expect((await redrive({ INGEST_QUEUE: target })).json).toMatchObject({ redriven: 1, takenOver: 1, claimed: 0 });
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/ingest/")).toEqual([]);
    const counts = sendCounts(target);
    expect([...counts.values()].sort()).toEqual([1, 1, 2]); // the one whose run died after its send went twice
  });
});

describe("redrive of a packed message", () => {
  it("re-sends a parked packed message as text, so a near-full one still fits 128 KB", async () => {
    const envelopes = Array.from({ length: 36 }, () => makeMessage({ event: makeEvent({ description: '"quoted"'.repeat(300) }) }));
    const packed = packEnvelopes(envelopes.map((e) => JSON.stringify(e)));
    // Fits as text; as a JSON string every quote and backslash would be escaped again (over 128 KB).
    expect(new TextEncoder().encode(packed).byteLength + 100).toBeLessThanOrEqual(128_000);
    expect(new TextEncoder().encode(JSON.stringify(packed)).byteLength + 100).toBeGreaterThan(128_000);
    const batch = createMessageBatch("milk-ingest-dlq", [queued(packed)]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    limitClock.advance(60_000); // as park(): the redrive comes later than R2's second per key
    const target = recordingQueue();
    const { status } = await redrive({ INGEST_QUEUE: target });
    expect(status).toBe(200);
    expect(target.sent.map((e) => e.id).sort()).toEqual(envelopes.map((e) => e.id).sort());
  });
});

describe("table registrations in the dead-letter queue", () => {
  it("are parked under dead-letter/table/ and redriven to the table queue", async () => {
    const registration = { v: 1, kind: "append", files: [{ key: "locations/dt=2025-04-01/hour=09/x.parquet", partition: "dt=2025-04-01/hour=09", recordCount: 1, fileSizeBytes: 100 }], writtenAtMs: 1 };
    const batch = createMessageBatch("milk-table-dlq", [queued(registration)]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(await listKeys(env.LAKE_BUCKET, "dead-letter/table/")).toHaveLength(1);
    limitClock.advance(60_000); // as park(): the redrive comes later than R2's second per key
    const TABLE_QUEUE = recordingQueue();
    const request = new Request("https://edge.test/admin/redrive", { method: "POST", headers: ADMIN, body: JSON.stringify({ queue: "table" }) });
    const response = await worker.fetch(request, testEnv({ TABLE_QUEUE }), createExecutionContext());
    expect(response.status).toBe(200);
    expect(TABLE_QUEUE.messages).toEqual([registration]);
  });
});
