import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from "../../src/queue-limits";
import { readQueueMessage } from "../../src/contract/packed-message";
import { heldQueue, testEnv, until, type HeldSend, type TestEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

const shard = () => env.SIGNING_GUARD.get(env.SIGNING_GUARD.idFromName("shard-0"));

async function post(run: TestEnv, body: unknown, headers?: Record<string, string>) {
  const request = new Request("https://edge.test/webhooks/radar", { method: "POST", headers: headers ?? (await signedHeaders()), body: JSON.stringify(body) });
  const response = await worker.fetch(request, run, createExecutionContext());
  return { status: response.status, retryAfter: response.headers.get("retry-after"), json: (await response.json()) as Record<string, any> };
}

const settle = async (held: HeldSend, ok: boolean) => void (held.decision = ok);

/** Starts one request and waits until the shard holds its send, so later requests must wait. */
async function occupyShard(run: TestEnv & { INGEST_QUEUE: ReturnType<typeof heldQueue> }) {
  const first = post(run, { event: makeEvent() });
  await until(() => run.INGEST_QUEUE.held.length === 1, "the first send");
  return { first }; // wrapped: awaiting a bare promise here would wait for the answer
}

describe("group commit: concurrent requests share a send", () => {
  it("sends a lone request at once, then 100 requests that arrived meanwhile in one send", async () => {
    const run = testEnv({ INGEST_QUEUE: heldQueue() }) as TestEnv & { INGEST_QUEUE: ReturnType<typeof heldQueue> };
    const { first } = await occupyShard(run);
    expect(run.INGEST_QUEUE.held[0]!.messages).toHaveLength(1);
    const burst = Array.from({ length: 100 }, () => post(run, { event: makeEvent() }));
    await until(async () => (await shard().getStats()).waiting === 101, "100 waiting requests");
    await settle(run.INGEST_QUEUE.held[0]!, true);
    await until(() => run.INGEST_QUEUE.held.length === 2, "the shared send");
    await settle(run.INGEST_QUEUE.held[1]!, true);
    const answers = await Promise.all([first, ...burst]);
    expect(answers.map((a) => a.status)).toEqual(Array(101).fill(202));
    // Two calls for 101 requests: the lone first one, then one packed message for the other 100.
    expect(run.INGEST_QUEUE.calls).toBe(2);
    expect(run.INGEST_QUEUE.messages).toHaveLength(2);
    // A single message goes by send, as text (the local broker's sendBatch path costs more, pack-sender.ts).
    expect(run.INGEST_QUEUE.held.map((h) => [h.via, h.messages[0]!.contentType])).toEqual([["send", "text"], ["send", "text"]]);
    expect(run.INGEST_QUEUE.sent.map((e) => e.id).sort()).toEqual(answers.flatMap((a) => a.json.ids).sort());
  });

  it("answers 503 to exactly the requests a failed send carried, 202 to the others", async () => {
    const run = testEnv({ INGEST_QUEUE: heldQueue() }) as TestEnv & { INGEST_QUEUE: ReturnType<typeof heldQueue> };
    const { first } = await occupyShard(run);
    const later = Array.from({ length: 10 }, () => post(run, { event: makeEvent() }));
    await until(async () => (await shard().getStats()).waiting === 11, "10 waiting requests");
    await settle(run.INGEST_QUEUE.held[0]!, false);
    await until(() => run.INGEST_QUEUE.held.length === 2, "the next send");
    await settle(run.INGEST_QUEUE.held[1]!, true);
    const refused = await first;
    expect(refused).toMatchObject({ status: 503, retryAfter: "5", json: { error: { code: "queue_unavailable" } } });
    expect((await Promise.all(later)).map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(run.INGEST_QUEUE.sent).toHaveLength(10);
  });

  it("splits a group within the sendBatch limits and refuses only the requests of the failed call", async () => {
    const run = testEnv({ INGEST_QUEUE: heldQueue() }) as TestEnv & { INGEST_QUEUE: ReturnType<typeof heldQueue> };
    const { first } = await occupyShard(run);
    // Three requests of about 100 KB each: one message each, two messages per 256,000 B call.
    const bigs = [0, 1, 2].map(() => ({ event: makeEvent({ description: "x".repeat(100_000) }) }));
    const later = bigs.map((body) => post(run, body));
    await until(async () => (await shard().getStats()).waiting === 4, "3 waiting requests");
    await settle(run.INGEST_QUEUE.held[0]!, true);
    await until(() => run.INGEST_QUEUE.held.length === 3, "two calls for the group");
    const [, pair, single] = run.INGEST_QUEUE.held;
    expect([pair!.messages.length, single!.messages.length]).toEqual([2, 1]);
    expect([pair!.via, single!.via]).toEqual(["sendBatch", "send"]);
    for (const call of run.INGEST_QUEUE.held) {
      const sizes = call.messages.map((m) => new TextEncoder().encode(m.body as string).byteLength + 100);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    await settle(pair!, true);
    await settle(single!, false);
    expect((await first).status).toBe(202);
    // Arrival order at the shard is not the order of the calls above: match by the event ids.
    const refusedIds = readQueueMessage(single!.messages[0]!.body).envelopes.map((e) => e.id);
    const expected = bigs.map((b) => (refusedIds.includes(b.event._id as string) ? 503 : 202));
    expect(expected.filter((s) => s === 503)).toHaveLength(1);
    expect((await Promise.all(later)).map((a) => a.status)).toEqual(expected);
  });

  it("refuses with 503 guard_overloaded and Retry-After once a shard's line is full, never queueing more", async () => {
    const run = testEnv({ INGEST_QUEUE: heldQueue(), SIGNING_GUARD_MAX_WAITING: "5" }) as TestEnv & { INGEST_QUEUE: ReturnType<typeof heldQueue> };
    const { first } = await occupyShard(run);
    const later = Array.from({ length: 4 }, () => post(run, { event: makeEvent() }));
    await until(async () => (await shard().getStats()).waiting === 5, "a full line");
    const refused = await post(run, { event: makeEvent() });
    expect(refused).toMatchObject({ status: 503, retryAfter: "1", json: { error: { code: "guard_overloaded" } } });
    await settle(run.INGEST_QUEUE.held[0]!, true);
    await until(() => run.INGEST_QUEUE.held.length === 2, "the next send");
    await settle(run.INGEST_QUEUE.held[1]!, true);
    expect((await Promise.all([first, ...later])).map((a) => a.status)).toEqual(Array(5).fill(202));
  });

  it("answers 503 when the shard has no queue binding, and keeps serving once it has one", async () => {
    const broken = await post(testEnv({ INGEST_QUEUE: undefined as unknown as Queue }), { event: makeEvent() });
    expect(broken).toMatchObject({ status: 503, json: { error: { code: "queue_unavailable" } } });
    const run = testEnv();
    expect((await post(run, { event: makeEvent() })).status).toBe(202);
    expect(run.INGEST_QUEUE.sent).toHaveLength(1);
  });
});
