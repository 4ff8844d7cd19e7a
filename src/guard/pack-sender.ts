import { PACKED_CONTENT_TYPE } from "../contract/packed-message";
import { errorMessage } from "../errors";
import { recordMetric } from "../metrics";
import type { CloseReason, GatherPolicy } from "./gather-window";
import { planSends, type PackRequest } from "./pack-plan";

/** What one group commit sent, for the shard's per-send metric and log. */
export interface SendReport {
  requests: number;
  envelopes: number;
  messages: number;
  calls: number;
  failedRequests: number;
  error?: string;
}

/** One metric point per packed send (not per request); a failed send is also logged. */
export function recordSend(metrics: AnalyticsEngineDataset | undefined, queue: string, report: SendReport): void {
  const outcome = report.failedRequests ? "failed" : "sent";
  recordMetric(metrics, { kind: "guard_send", outcome, label: queue, count: report.envelopes, figures: [report.requests, report.messages, report.calls, report.failedRequests] });
  if (report.error) console.error(JSON.stringify({ msg: "queue send failed", queue, requests: report.failedRequests, error: report.error }));
}

/**
 * One message goes by `send`, more by `sendBatch`: production bills each message alike either way,
 * and the local broker decodes a batch as base64 inside JSON, checked with zod, where a single
 * message arrives as its own body (docs/performance.md).
 */
async function sendMessages(queue: Queue, messages: string[]): Promise<void> {
  if (messages.length === 1) await queue.send(messages[0], { contentType: PACKED_CONTENT_TYPE });
  else await queue.sendBatch(messages.map((body) => ({ body, contentType: PACKED_CONTENT_TYPE })));
}

interface Waiting extends PackRequest {
  resolve: (sent: boolean) => void;
  arrivedAt: number;
  size: number;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Group commit onto one queue. A request that finds no send in flight is sent at once unless the
 * shard is busy (`gather`, src/guard/gather-window.ts); requests that arrive while a send is in
 * flight wait for it and then share the next one, so messages grow with the traffic. Each request
 * learns whether every sendBatch call carrying its envelopes succeeded.
 */
export class PackSender {
  private waiting: Waiting[] = [];
  private waitingEnvelopes = 0;
  private waitingBytes = 0;
  private flying = false;
  /** Wakes an open gather window early (its pack is full). */
  private wake: (() => void) | undefined;

  constructor(
    private readonly queue: () => Queue,
    private readonly report: (sent: SendReport) => void,
    /** `leads`: this queue sees every request, so it records arrivals and how its windows closed. */
    private readonly gather?: { policy: GatherPolicy; leads: boolean },
  ) {}

  /** Envelopes accepted but not yet on the queue (waiting or in flight). */
  get backlog(): number {
    return this.waitingEnvelopes;
  }

  /** Resolves true once the request's envelopes are on the queue, false if a send carrying them failed. */
  submit(request: PackRequest): Promise<boolean> {
    if (request.json.length === 0) return Promise.resolve(true);
    const arrivedAt = Date.now();
    if (this.gather?.leads) this.gather.policy.arrive(arrivedAt);
    const size = sum(request.bytes);
    const done = new Promise<boolean>((resolve) => this.waiting.push({ ...request, resolve, arrivedAt, size }));
    this.waitingEnvelopes += request.json.length;
    this.waitingBytes += size;
    if (!this.flying) void this.drain();
    else this.wake?.();
    return done;
  }

  private async drain(): Promise<void> {
    this.flying = true;
    while (this.waiting.length > 0) {
      await this.gatherMore();
      const group = this.waiting;
      this.waiting = [];
      this.waitingBytes = 0;
      await this.sendGroup(group);
    }
    this.flying = false;
  }

  /** Holds the waiting requests open while the shard is busy, until the window closes (gather-window.ts). */
  private async gatherMore(): Promise<void> {
    if (!this.gather) return;
    const { policy, leads } = this.gather;
    const window = policy.window(this.waiting[0]!.arrivedAt, leads);
    if (!window) return;
    const startedWith = this.waiting.length;
    let reason: CloseReason | undefined;
    for (;;) {
      policy.observe(window, this.waiting[0]!.arrivedAt, this.waiting.at(-1)!.arrivedAt, this.waiting.length);
      reason = policy.closeReason(window, Date.now(), this.waitingBytes, this.waiting.at(-1)!.size, this.waiting.length);
      if (reason) break;
      // Re-checked when the window is due, or at once when a request arrives (it may fill the pack).
      const ms = Math.max(1, policy.dueAt(window) - Date.now());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.wake = () => (clearTimeout(timer), resolve());
      });
      this.wake = undefined;
    }
    if (leads) policy.closed(this.waiting.length > startedWith, reason, window, this.waiting.length);
  }

  private async sendGroup(group: Waiting[]): Promise<void> {
    const sends = planSends(group);
    // A missing binding throws synchronously: it must fail these requests, not stall the line.
    const send = async (messages: string[]) => sendMessages(this.queue(), messages);
    const results = await Promise.allSettled(sends.map((s) => send(s.messages)));
    const failed = new Set<number>();
    let error: string | undefined;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      error ??= errorMessage(result.reason);
      for (const r of sends[i]!.carries) failed.add(r);
    });
    const envelopes = sum(group.map((r) => r.json.length));
    this.waitingEnvelopes -= envelopes;
    group.forEach((request, r) => request.resolve(!failed.has(r)));
    const messages = sends.reduce((n, s) => n + s.messages.length, 0);
    this.report({ requests: group.length, envelopes, messages, calls: sends.length, failedRequests: failed.size, ...(error && { error }) });
  }
}
