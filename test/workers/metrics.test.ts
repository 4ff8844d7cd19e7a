import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import { makeMessage, queued } from "../fixtures/messages";
import { testEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

function recordingDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, dataset: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } as AnalyticsEngineDataset };
}

afterEach(() => vi.restoreAllMocks());

describe("Analytics Engine metrics", () => {
  it("records one point per packed send for accepted events, and one per refused request with its reason", async () => {
    const { points, dataset } = recordingDataset();
    const run = testEnv({ METRICS: dataset });
    const post = async (body: unknown, headers: Record<string, string> = {}) =>
      worker.fetch(new Request("https://edge.test/webhooks/radar", { method: "POST", headers: { ...(await signedHeaders()), ...headers }, body: JSON.stringify(body) }), run, createExecutionContext());
    await post({ events: [makeEvent(), makeEvent(), makeEvent({ type: "user.entered_geofence" })] });
    await post({ event: makeEvent() }, { "x-radar-signature": "0".repeat(40) });
    // guard_send: envelopes, requests, messages, sendBatch calls, requests refused.
    expect(points).toHaveLength(3);
    expect(points).toEqual(
      expect.arrayContaining([
        { indexes: ["guard_send"], blobs: ["guard_send", "sent", "ingest"], doubles: [3, 1, 1, 1, 0] },
        { indexes: ["guard_send"], blobs: ["guard_send", "sent", "forward"], doubles: [1, 1, 1, 1, 0] },
        { indexes: ["webhook"], blobs: ["webhook", "unauthorized", ""], doubles: [0, 401] },
      ]),
    );
  });

  it("records lake batches: rows, objects, latency, lag, retries, quarantined", async () => {
    const { points, dataset } = recordingDataset();
    const messages = [makeMessage(), makeMessage({ event: makeEvent({ createdAt: "2024-03-05T16:00:00.000Z" }) }), { junk: 1 }];
    const batch = createMessageBatch("milk-ingest", messages.map((m) => queued(m)));
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, METRICS: dataset }, ctx);
    await getQueueResult(batch, ctx);
    expect(points).toHaveLength(1);
    const [point] = points;
    expect(point!.blobs).toEqual(["lake_batch", "ok", "milk-ingest"]);
    const [rows, received, objects, writeMs, meanLag, maxLag, retried, quarantined] = point!.doubles!;
    expect({ rows, received, objects, retried, quarantined }).toEqual({ rows: 2, received: 3, objects: 4, retried: 0, quarantined: 1 });
    expect(writeMs).toBeGreaterThanOrEqual(0);
    expect(maxLag).toBeGreaterThanOrEqual(meanLag!);
    expect(meanLag).toBeGreaterThan(60 * 60 * 24 * 365); // 2024 events processed now
  });

  it("records Kinesis batches: accepted, sent, failed, retried", async () => {
    const { points, dataset } = recordingDataset();
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const body = (await new Request(input as RequestInfo, init as RequestInit).json()) as { Records: unknown[] };
      return Response.json({ FailedRecordCount: 1, Records: body.Records.map((_, i) => (i === 0 ? { ErrorCode: "InternalFailure" } : { SequenceNumber: "1", ShardId: "s" })) });
    });
    const batch = createMessageBatch("milk-forward", [makeMessage(), makeMessage(), makeMessage()].map((m) => queued(m)));
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, METRICS: dataset }, ctx);
    await getQueueResult(batch, ctx);
    expect(points).toHaveLength(1);
    expect(points[0]!.blobs).toEqual(["kinesis_batch", "partial", "milk-forward"]);
    expect(points[0]!.doubles!.slice(0, 5)).toEqual([2, 3, 3, 1, 1]);
  });
});
