import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { parquetReadObjects } from "hyparquet";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import type { IngestMessage } from "../../src/contract/ingest-message";
import { packEnvelopes, readQueueMessage } from "../../src/contract/packed-message";
import { compressors, listKeys } from "../fixtures/lake";
import { makeMessage } from "../fixtures/messages";
import { recordingQueue, testEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

/** Deterministic pseudo-random numbers, so a failing run can be replayed. */
function seeded(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

interface Delivery {
  /** A v1 envelope or a packed message (text). */
  body: IngestMessage | string;
  attempts: number;
}

/** True when every envelope of a delivered body is stored. */
const allDurable = (body: unknown, isDurable: (id: string) => boolean) => readQueueMessage(body).envelopes.every((e) => isDurable(e.id));

/**
 * Plays the queue: delivers batches of up to 100 to the real handler, redelivers what was
 * retried (attempts + 1) and, like an at-least-once queue, some of what was already acked.
 * `isDurable(id)` is checked at every ack: acking data that is not stored is a violation.
 */
async function playQueue(queue: string, deliveries: Delivery[], run: Env, isDurable: (id: string) => boolean, random: () => number, requeued?: { messages: unknown[] }) {
  const pending = [...deliveries];
  const violations: string[] = [];
  let rounds = 0;
  while (pending.length && rounds++ < 200) {
    const slice = pending.splice(0, 100);
    const batch = createMessageBatch(queue, slice.map((d, i) => ({ id: `${rounds}-${i}`, timestamp: new Date(), attempts: d.attempts, body: d.body })));
    batch.messages.forEach((m, i) => {
      const ack = m.ack.bind(m);
      vi.spyOn(m, "ack").mockImplementation(() => {
        if (!allDurable(slice[i]!.body, isDurable)) violations.push(m.id);
        ack();
      });
    });
    const ctx = createExecutionContext();
    await worker.queue(batch, run, ctx);
    const result = await getQueueResult(batch, ctx);
    const retried = new Set(result.retryMessages.map((r) => r.msgId));
    const acked = new Set(result.explicitAcks);
    batch.messages.forEach((m, i) => {
      expect(retried.has(m.id) || acked.has(m.id)).toBe(true); // every message ends in ack or retry
      if (retried.has(m.id)) pending.push({ body: slice[i]!.body, attempts: slice[i]!.attempts + 1 });
      else if (random() < 0.05) pending.push({ body: slice[i]!.body, attempts: 1 }); // redelivery after ack
    });
    for (const body of requeued?.messages.splice(0) ?? []) pending.push({ body: body as string, attempts: 1 });
  }
  return { violations, rounds, drained: pending.length === 0 };
}

afterEach(() => vi.restoreAllMocks());

/**
 * v1 messages as they are, or packed into messages of 1..packMax envelopes in time order, as a
 * guard shard packs what arrives together (a pack spans one or two hours, not seven).
 */
function deliveries(messages: IngestMessage[], packMax: number, random: () => number): Delivery[] {
  if (packMax === 1) return messages.map((body) => ({ body, attempts: 1 }));
  messages = [...messages].sort((a, b) => String(a.event.createdAt).localeCompare(String(b.event.createdAt)));
  const out: Delivery[] = [];
  for (let i = 0; i < messages.length; ) {
    const n = 1 + Math.floor(random() * packMax);
    out.push({ body: packEnvelopes(messages.slice(i, i + n).map((m) => JSON.stringify(m))), attempts: 1 });
    i += n;
  }
  return out;
}

describe("fault injection through the real consumers", () => {
  it.each([["single-event v1", 1], ["packed (1–7 envelopes)", 7]])("lands every event exactly once after dedup while a fifth of R2 puts fail: %s messages", async (_, packMax) => {
    const random = seeded(7);
    const day = packMax === 1 ? "2024-04-01" : "2024-04-02";
    const messages = Array.from({ length: 400 }, (_, i) =>
      makeMessage({ event: makeEvent({ createdAt: `${day}T${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00.000Z`, user: { _id: `driver-${i % 9}` } }) }),
    );
    const durable = new Set<string>();
    let failedPuts = 0;
    const bucket = new Proxy(env.LAKE_BUCKET, {
      get(target, prop) {
        if (prop !== "put") return Reflect.get(target, prop).bind(target);
        return async (key: string, value: Uint8Array, options: R2PutOptions) => {
          if (random() < 0.2) {
            failedPuts++;
            throw new Error("injected R2 failure");
          }
          const written = await target.put(key, value, options);
          if (key.startsWith("locations/")) {
            const rows = await parquetReadObjects({ file: value.slice().buffer, columns: ["id"], compressors });
            for (const row of rows) durable.add(row.id as string);
          }
          return written;
        };
      },
    });
    const { violations, drained } = await playQueue("milk-ingest", deliveries(messages, packMax, random), { ...env, LAKE_BUCKET: bucket }, (id) => durable.has(id), random);
    expect(drained).toBe(true);
    expect(failedPuts).toBeGreaterThan(0);
    expect(violations).toEqual([]);

    const ids: string[] = [];
    for (const key of await listKeys(env.LAKE_BUCKET, `locations/dt=${day}/`)) {
      const object = await env.LAKE_BUCKET.get(key);
      for (const row of await parquetReadObjects({ file: await object!.arrayBuffer(), columns: ["id"], compressors })) ids.push(row.id as string);
    }
    expect(new Set(ids).size).toBe(messages.length);
    expect([...new Set(ids)].sort()).toEqual(messages.map((m) => m.id).sort());
  });

  it.each([["single-event v1", 1], ["packed (1–7 envelopes)", 7]])("forwards every geofence event to Kinesis at least once through throttling and partial failures: %s messages", async (_, packMax) => {
    const random = seeded(11);
    const accepted = new Set<string>();
    let injected = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input as RequestInfo, init as RequestInit);
      const body = (await request.json()) as { Records: Array<{ Data: string }> };
      if (random() < 0.1) {
        injected++;
        return Response.json({ __type: "ProvisionedThroughputExceededException" }, { status: 400 });
      }
      const records = body.Records.map((r, i) => {
        if (random() < 0.3) {
          injected++;
          return { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "injected" };
        }
        accepted.add(JSON.parse(atob(r.Data)).id);
        return { SequenceNumber: String(i), ShardId: "shardId-000000000000" };
      });
      return Response.json({ FailedRecordCount: records.filter((r) => "ErrorCode" in r).length, Records: records });
    });
    const messages = Array.from({ length: 250 }, (_, i) => makeMessage({ event: makeEvent({ type: i % 2 ? "user.exited_geofence" : "user.entered_geofence", user: { _id: `driver-${i % 7}` } }) }));
    // Remainders the forwarder re-enqueues (only refused records) are delivered like any message.
    const remainders = recordingQueue();
    const run = { ...env, FORWARD_QUEUE: remainders };
    const { violations, drained } = await playQueue("milk-forward", deliveries(messages, packMax, random), run, (id) => accepted.has(id) || remainders.sent.some((e) => e.id === id), random, remainders);
    expect(drained).toBe(true);
    expect(injected).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    expect([...accepted].sort()).toEqual(messages.map((m) => m.id).sort());
  });
});

describe("fault injection at the edge", () => {
  it("answers 202 only for events that reached the queue; Radar's retries of 503s complete the set", async () => {
    const random = seeded(3);
    const real = recordingQueue();
    const flaky = {
      sent: real.sent,
      send: async (body: unknown, options?: QueueSendOptions) => (random() < 0.3 ? Promise.reject(new Error("injected send failure")) : real.send(body, options)),
      sendBatch: async (batch: Iterable<MessageSendRequest>) => (random() < 0.3 ? Promise.reject(new Error("injected send failure")) : real.sendBatch(batch)),
    } as unknown as Queue;
    const bodies = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? { events: [makeEvent(), makeEvent(), makeEvent()] } : { event: makeEvent() }));
    const wanted = bodies.flatMap((b) => ("events" in b ? b.events : [b.event])).map((e) => e!._id as string);
    const accepted = new Set<string>();
    let refused = 0;
    for (const body of bodies) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const run = testEnv({ INGEST_QUEUE: flaky });
        const response = await worker.fetch(new Request("https://edge.test/webhooks/radar", { method: "POST", headers: await signedHeaders(), body: JSON.stringify(body) }), run, createExecutionContext());
        expect([202, 503]).toContain(response.status);
        if (response.status === 202) {
          const { ids } = await response.json<{ ids: string[] }>();
          for (const id of ids) {
            expect(real.sent.some((m) => m.id === id)).toBe(true); // 202 means it is on the queue
            accepted.add(id);
          }
          break;
        }
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect([...accepted].sort()).toEqual([...wanted].sort());
    expect(new Set(real.sent.map((m) => m.id))).toEqual(new Set(wanted)); // duplicates only, never strays
  });
});
