import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import { QUEUE_ROUTES } from "../../src/queue-roles";
import { listKeys } from "../fixtures/lake";
import { makeMessage, queued } from "../fixtures/messages";
import { playOnClock } from "../fixtures/simulated-queues";

const DAY_S = 86_400;
const NEXT = { "milk-ingest-dlq": "milk-ingest-last-resort", "milk-forward-dlq": "milk-forward-last-resort" };

function recordingDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, dataset: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } as AnalyticsEngineDataset };
}

/** The real bucket, except that puts fail while the simulated clock is inside the outage. */
function outageBucket(outageS: number, nowS: () => number, stored: Set<string>): R2Bucket {
  return new Proxy(env.LAKE_BUCKET, {
    get(target, prop) {
      if (prop !== "put") return Reflect.get(target, prop).bind(target);
      return async (key: string, value: string, options?: R2PutOptions) => {
        if (nowS() < outageS) throw new Error("simulated R2 outage");
        const written = await target.put(key, value, options);
        stored.add(JSON.parse(value).messageId);
        return written;
      };
    },
  });
}

/** Parked copies per body id under `dead-letter/<origin>/`, duplicates counted. */
async function parkedCounts(origin: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const key of await listKeys(env.LAKE_BUCKET, `dead-letter/${origin}/`)) {
    const parked = await (await env.LAKE_BUCKET.get(key))!.json<{ body: { id: string } }>();
    counts.set(parked.body.id, (counts.get(parked.body.id) ?? 0) + 1);
  }
  return counts;
}

async function runOutage(queue: keyof typeof NEXT, outageS: number, random: number, count = 12) {
  vi.spyOn(Math, "random").mockReturnValue(random);
  vi.spyOn(console, "error").mockImplementation(() => {}); // one line per failed park
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const { points, dataset } = recordingDataset();
  const stored = new Set<string>();
  let clock = 0;
  const bucket = outageBucket(outageS, () => clock, stored);
  const bodies = Array.from({ length: count }, () => makeMessage());
  const messages = bodies.map((body, i) => ({ id: `${queue}-${outageS}-${i}`, body }));
  const run = await playOnClock({
    queue,
    messages,
    next: NEXT,
    env: (nowS) => ((clock = nowS), { ...env, LAKE_BUCKET: bucket, METRICS: dataset }),
    isStored: (id) => stored.has(id),
  });
  return { run, bodies, points, messages };
}

afterEach(() => vi.restoreAllMocks());

describe("dead letters survive a long R2 outage", () => {
  it("the dead-letter queue alone rides out 24 h of failed puts, even with the shortest delays", async () => {
    const { run, bodies, points } = await runOutage("milk-ingest-dlq", DAY_S, 0);
    expect(run.prematureAcks).toEqual([]);
    expect(run.lost).toEqual([]);
    expect(run.waitedBeforeMove).toEqual([]); // nobody needed the last resort
    for (const ackedAt of run.ackedAtS.values()) expect(ackedAt).toBeGreaterThanOrEqual(DAY_S);
    const counts = await parkedCounts("ingest");
    for (const body of bodies) expect(counts.get(body.id)).toBe(1);
    const parked = points.filter((p) => p.blobs?.[1] === "parked");
    expect(parked.map((p) => p.blobs)).toEqual([["dead_letter", "parked", "ingest"]]);
    expect(parked[0]!.doubles).toEqual([bodies.length]);
    expect(points.find((p) => p.blobs?.[1] === "retried")).toMatchObject({ blobs: ["dead_letter", "retried", "ingest"], doubles: [bodies.length] });
  });

  it("an outage longer than the dead-letter retries moves messages to the last resort, which parks each once", async () => {
    const { run, bodies } = await runOutage("milk-forward-dlq", 3 * DAY_S, 1);
    expect(run.prematureAcks).toEqual([]);
    expect(run.lost).toEqual([]);
    expect(run.waitedBeforeMove.map((w) => w.queue)).toEqual(bodies.map(() => "milk-forward-dlq"));
    expect(run.maxDelayS).toBe(43_200); // the platform's longest retry delay, never more
    const counts = await parkedCounts("forward");
    for (const body of bodies) expect(counts.get(body.id)).toBe(1);
    const queues = await Promise.all((await listKeys(env.LAKE_BUCKET, "dead-letter/forward/")).map(async (k) => (await (await env.LAKE_BUCKET.get(k))!.json<{ queue: string }>()).queue));
    expect(new Set(queues)).toEqual(new Set(["milk-forward-last-resort"]));
  });

  it("with the shortest delays, max_retries × delays cover ≥ 24 h on the dead-letter queue and days more on the last resort", async () => {
    const { run } = await runOutage("milk-ingest-dlq", Number.POSITIVE_INFINITY, 0, 2);
    expect(run.lost).toHaveLength(2); // a permanent outage does lose them, after the windows below
    const waited = (queue: string) => Math.min(...run.waitedBeforeMove.filter((w) => w.queue === queue).map((w) => w.waitedS));
    expect(QUEUE_ROUTES.get("milk-ingest-dlq")!.maxRetries).toBeLessThanOrEqual(100);
    expect(waited("milk-ingest-dlq")).toBeGreaterThanOrEqual(DAY_S);
    expect(waited("milk-ingest-dlq")).toBe(99_090); // 27.5 h
    expect(waited("milk-ingest-last-resort")).toBe(330_750); // 3.8 days
  });
});

describe("queue roles", () => {
  it.each(["milk-ingest-typo", "milk-forward-dlq-old", "other-dlq"])("refuses unknown queue %s: logged, retried, nothing written", async (queue) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const before = (await listKeys(env.LAKE_BUCKET, "")).length;
    const batch = createMessageBatch(queue, [queued(makeMessage())]);
    const retryAll = vi.spyOn(batch, "retryAll");
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry).toBe(true);
    expect(retryAll).toHaveBeenCalledWith({ delaySeconds: 600 });
    expect(result.explicitAcks).toEqual([]);
    expect((await listKeys(env.LAKE_BUCKET, "")).length).toBe(before);
    expect(errors.mock.calls.some(([line]) => String(line).includes("UNKNOWN QUEUE"))).toBe(true);
  });
});
