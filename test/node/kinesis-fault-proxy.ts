import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultProxy {
  endpoint: string;
  /** Share of PutRecords entries answered with ProvisionedThroughputExceededException. */
  recordFailureRate: number;
  /** Share of whole PutRecords calls answered 400 ProvisionedThroughputExceededException. */
  callFailureRate: number;
  injectedRecordFailures: number;
  injectedCallFailures: number;
  close(): Promise<void>;
}

const THROTTLED = { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard (injected)" };

/**
 * A local proxy in front of kinesalite that throttles a share of PutRecords entries:
 * the failed entries are not forwarded, and the answer marks them as Kinesis would.
 * A record is failed at most `maxFailuresPerRecord` times, as real throttling clears:
 * this bounds the test's duration by the forwarder's backoff instead of by luck.
 */
export async function startFaultProxy(upstream: string, random: () => number = Math.random, maxFailuresPerRecord = 2): Promise<FaultProxy> {
  const state = { recordFailureRate: 0, callFailureRate: 0, injectedRecordFailures: 0, injectedCallFailures: 0 };
  const failures = new Map<string, number>();
  const mayFail = (data: string) => (failures.get(data) ?? 0) < maxFailuresPerRecord;
  const noteFailure = (data: string) => failures.set(data, (failures.get(data) ?? 0) + 1);
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const target = String(req.headers["x-amz-target"] ?? "");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "content-length" && k !== "host") headers[k] = v;
    const forward = (body: string) => fetch(`${upstream}/`, { method: "POST", headers, body });

    if (!target.endsWith(".PutRecords")) {
      const response = await forward(raw);
      res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "application/x-amz-json-1.1" });
      res.end(await response.text());
      return;
    }
    const body = JSON.parse(raw) as { StreamName: string; Records: Array<{ Data: string }> };
    if (random() < state.callFailureRate && body.Records.every((r) => mayFail(r.Data))) {
      state.injectedCallFailures++;
      for (const r of body.Records) noteFailure(r.Data);
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "ProvisionedThroughputExceededException", message: "Rate exceeded (injected)" }));
      return;
    }
    const fail = body.Records.map((r) => {
      const failed = mayFail(r.Data) && random() < state.recordFailureRate;
      if (failed) noteFailure(r.Data);
      return failed;
    });
    const kept = body.Records.filter((_, i) => !fail[i]);
    let upstreamRecords: unknown[] = [];
    if (kept.length) {
      const response = await forward(JSON.stringify({ ...body, Records: kept }));
      if (!response.ok) {
        res.writeHead(response.status, { "content-type": "application/x-amz-json-1.1" });
        res.end(await response.text());
        return;
      }
      upstreamRecords = ((await response.json()) as { Records: unknown[] }).Records;
    }
    let next = 0;
    const records = fail.map((failed) => (failed ? THROTTLED : upstreamRecords[next++]));
    const failedCount = fail.filter(Boolean).length;
    state.injectedRecordFailures += failedCount;
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify({ FailedRecordCount: failedCount, Records: records }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
