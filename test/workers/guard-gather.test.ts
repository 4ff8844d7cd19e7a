import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, QUEUE_BILLING_UNIT_BYTES } from "../../src/queue-limits";
import { testEnv, type TestEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

// The gather window of a busy shard (src/guard/gather-window.ts), with real timers in workerd and
// the production queue limits of the test harness.
const shard = (prefix = "") => env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName(`${prefix}shard-0`));
const windows = async (prefix = "") => (await shard(prefix).getStats()).windows;
const bytesOf = (body: unknown) => new TextEncoder().encode(body as string).byteLength + 100;

/** One signed webhook; resolves with its status and how long its answer took. */
async function post(run: TestEnv, body: unknown) {
  const started = Date.now();
  const request = new Request("https://edge.test/webhooks/radar", { method: "POST", headers: await signedHeaders(), body: JSON.stringify(body) });
  const response = await worker.fetch(request, run, createExecutionContext());
  await response.arrayBuffer();
  return { status: response.status, ms: Date.now() - started };
}

/** Open-loop traffic, as trucks send it: a request every `everyMs`, none waiting for another's answer. */
async function trickle(run: TestEnv, count: number, everyMs: number, body = () => ({ event: makeEvent() })) {
  const answers = [];
  for (let i = 0; i < count; i++) {
    answers.push(post(run, body()));
    await scheduler.wait(everyMs);
  }
  return Promise.all(answers);
}

/** Lets the shard go quiet, so the next request finds it idle. */
const quiet = () => scheduler.wait(500);

describe("gather window: packs grow under load, a lone request never waits", () => {
  it("sends a lone request at once, long before the window could expire", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "2000" });
    await quiet();
    const before = await windows();
    const answer = await post(run, { event: makeEvent() });
    expect(answer.status).toBe(202);
    expect(answer.ms).toBeLessThan(1000);
    expect(run.INGEST_QUEUE.calls).toBe(1);
    expect(await windows()).toBe(before);
  });

  it("sends light open-loop traffic (12 requests/s) at once, a short burst in it too: no window opens", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "2000" });
    await quiet();
    const before = await windows();
    const answers = [...(await trickle(run, 12, 80)), ...(await trickle(run, 14, 2))];
    expect(answers.map((a) => a.status)).toEqual(Array(26).fill(202));
    expect(await windows()).toBe(before);
  });

  it("under open-loop load shares sends, and no request waits past the window's bound", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "150" });
    await quiet();
    const answers = await trickle(run, 60, 10); // 100 requests/s for 0.6 s
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(202));
    // Sent at once, one call per request; gathered, about one per 150 ms window (4 in 0.6 s, more
    // when the machine stretches the trickle): at least three requests per call on average.
    expect(run.INGEST_QUEUE.calls).toBeLessThanOrEqual(20);
    expect(run.INGEST_QUEUE.sent).toHaveLength(60);
    // The bound plus one send and the request's own path, with room for a loaded machine.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(150 + 350);
  });

  it("closes the window once a pack holds a 64 KB billing unit, and never builds a pack over the limits", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "2000" });
    await quiet();
    // About 20 KB per request: three fill a billing unit, a fourth would overflow it.
    const answers = await trickle(run, 24, 10, () => ({ event: makeEvent({ description: "x".repeat(20_000) }) }));
    expect(answers.map((a) => a.status)).toEqual(Array(24).fill(202));
    const sizes = run.INGEST_QUEUE.messages.map(bytesOf);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(QUEUE_BILLING_UNIT_BYTES);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(sizes.length).toBeLessThan(24); // packed, not one message per request
    // Closed by size, not by the 2 s bound.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1000);
    expect(run.INGEST_QUEUE.sent).toHaveLength(24);
    expect(MAX_BATCH_BYTES).toBeGreaterThan(3 * QUEUE_BILLING_UNIT_BYTES); // three such packs fit one call
  });

  // A shard keeps a closed loop's back-off through quiet spells (src/guard/gather-window.ts) and
  // gathers again only at its next probe, hundreds of sends later (gather-policy.test.ts covers
  // that exit): each closed loop below gets shards of its own.
  it("barely slows a client that waits for each answer: windows nobody joins back off (1, 8, 64 … skipped)", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "2000" }, "one-client/");
    for (let i = 0; i < 100; i++) expect((await post(run, { event: makeEvent() })).status).toBe(202);
    // Without the back-off a window would open every few requests (12 on this fresh shard when
    // watched failing, 2026-12-04).
    expect(await windows("one-client/")).toBeLessThanOrEqual(8);
    expect(run.INGEST_QUEUE.calls).toBe(100);
  });

  it("barely slows many clients that each wait for their answer: windows that end in a lull back off too", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "2000" }, "clients-32/");
    // 32 closed loops (as wrk -c32): each wave joins the window, then nobody else can arrive.
    const client = async () => {
      for (let i = 0; i < 30; i++) expect((await post(run, { event: makeEvent() })).status).toBe(202);
    };
    await Promise.all(Array.from({ length: 32 }, client));
    // Without the lull back-off a window opens for nearly every wave (29 when watched failing,
    // 2026-12-04); with it, one probe after 1, 8, 64 … skipped sends.
    expect(await windows("clients-32/")).toBeLessThanOrEqual(12);
    expect(run.INGEST_QUEUE.sent).toHaveLength(960);
  });

  it("holds a closed loop's sends for its waves, and a smaller loop right after is not stalled by the count learned before", async () => {
    const run = testEnv({ SIGNING_GUARD_GATHER_MS: "2000" }, "holds/");
    const before = await shard("holds/").getStats();
    const loops = async (clients: number, each: number) => {
      const answers: Array<{ status: number; ms: number }> = [];
      const client = async () => {
        for (let i = 0; i < each; i++) answers.push(await post(run, { event: makeEvent() }));
      };
      await Promise.all(Array.from({ length: clients }, client));
      return answers;
    };
    const big = await loops(32, 20);
    const small = await loops(2, 40); // no quiet spell between: the count learned from 32 clients is still there
    const after = await shard("holds/").getStats();
    expect(after.holds - before.holds).toBeGreaterThan(0);
    expect([...big, ...small].map((a) => a.status)).toEqual(Array(720).fill(202));
    expect(run.INGEST_QUEUE.sent).toHaveLength(720);
    // A hold ends in a lull at half the window's bound at the latest, and then learns the smaller
    // wave: a few lulls in all, not one per send of the 2 clients (40 with a count that stays).
    expect(Math.max(...small.map((a) => a.ms))).toBeLessThan(1000 + 350);
    expect(after.holdLulls - before.holdLulls).toBeLessThanOrEqual(6);
  });

});
