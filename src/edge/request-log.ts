import { getPath } from "hono/utils/url";
import { capLogField } from "../log-field";
import { recordMetric } from "../metrics";
import { openRecord } from "./request-record";

/**
 * Share of successful requests that get a log line when LOG_SUCCESS_SAMPLE_RATE is unset.
 * Refusals and errors are always logged, and the metrics count every request; success lines are
 * a liveness sample (one every 3 s at 333 requests/s). Every line is billed in Workers Logs and,
 * locally, travels through wrangler's Node: 0.001 against 0.01 ran at 0.818 against 0.785 of the
 * no-op under wrk (docs/performance.md, 2026-12-05 05:13).
 */
export const DEFAULT_SUCCESS_SAMPLE_RATE = 0.001;

type FetchHandler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/**
 * Wraps the app's fetch: assigns a request id (X-Request-Id on every response), logs refusals and
 * errors always and successes sampled, and writes one metric point per refused webhook request,
 * or per accepted one that had strings repaired. A wrapper rather than Hono middleware: under wrk
 * it ran at 0.785 of the no-op against the middleware's 0.765 (docs/performance.md, 2026-12-05).
 * Never logs headers or bodies: they carry the signature. The caller's path is capped (capLogField);
 * the method is logged as is, since workerd admits only standard methods.
 */
export function withRequestLog(handle: FetchHandler): FetchHandler {
  return async function logRequest(request, env, ctx) {
    const record = openRecord(request);
    const response = withRequestId(await handle(request, env, ctx), record.requestId);
    const { status } = response;
    const { refusal } = record;
    const path = getPath(request);
    if (shouldLog(status, refusal, env.LOG_SUCCESS_SAMPLE_RATE)) {
      const line = { msg: "request", requestId: record.requestId, method: request.method, path: capLogField(path), status, events: record.eventCount ?? 0, ...(refusal && { reason: refusal }) };
      (status >= 500 ? console.error : console.log)(JSON.stringify(line));
    }
    // Accepted events are counted by the guard shard, one point per packed send (kind guard_send);
    // an accepted request still gets its own point when strings were repaired (rare, and worth seeing).
    const repaired = record.repairedStrings ?? 0;
    if (path === "/webhooks/radar" && (status !== 202 || repaired > 0)) recordWebhookMetric(env.METRICS, status, refusal, record.eventTypes, repaired);
    return response;
  };
}

/** Our handlers build their Responses (mutable headers); any other is copied before the header is set. */
function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set("X-Request-Id", requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("X-Request-Id", requestId);
    return copy;
  }
}

/** Pure: whether this response gets a log line. A bad rate falls back to the default. */
export function shouldLog(status: number, refusal: string | undefined, rateVar: string | undefined, draw = Math.random()): boolean {
  if (refusal || status >= 400) return true;
  const parsed = rateVar === undefined || rateVar === "" ? NaN : Number(rateVar);
  const rate = parsed >= 0 && parsed <= 1 ? parsed : DEFAULT_SUCCESS_SAMPLE_RATE;
  return draw < rate;
}

/**
 * One point per refused request (or accepted with repairs): event types are joined, so a mixed
 * batch does not multiply points. double3, written only when non-zero, counts strings made
 * well-formed (src/edge/well-formed.ts).
 */
function recordWebhookMetric(dataset: AnalyticsEngineDataset, status: number, refusal: string | undefined, types: Map<string, number> | undefined, repaired: number) {
  const outcome = refusal ?? (status === 202 ? "accepted" : `status_${status}`);
  const label = types ? [...types.keys()].sort().join(",") : "";
  const events = types ? [...types.values()].reduce((a, b) => a + b, 0) : 0;
  recordMetric(dataset, { kind: "webhook", outcome, label, count: events, figures: repaired ? [status, repaired] : [status] });
}
