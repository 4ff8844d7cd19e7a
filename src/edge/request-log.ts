import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { capLogField } from "../log-field";
import { recordMetric } from "../metrics";

/**
 * Share of successful requests that get a log line when LOG_SUCCESS_SAMPLE_RATE is unset.
 * Refusals and errors are always logged. Every line is billed in Workers Logs and, locally,
 * one line per request halves wrangler dev's throughput (docs/performance.md).
 */
export const DEFAULT_SUCCESS_SAMPLE_RATE = 0.01;

/**
 * Assigns a request id, logs refusals and errors always and successes sampled, and writes one
 * metric point per refused webhook request, or per accepted one that had strings repaired.
 * Never logs headers or bodies: they carry the signature.
 * The caller's path is capped (capLogField); workerd admits only standard methods.
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const requestId = crypto.randomUUID();
    c.set("requestId", requestId);
    // Before the handler, so c.json() writes it; set afterwards, Hono copies the whole Response.
    c.header("X-Request-Id", requestId);
    await next();
    // A handler that returns its own Response skips the prepared header: only then is it copied.
    if (!c.res.headers.has("X-Request-Id")) c.header("X-Request-Id", requestId);
    const status = c.res.status;
    const refusal = c.get("refusal");
    if (shouldLog(status, refusal, c.env.LOG_SUCCESS_SAMPLE_RATE)) {
      const line = { msg: "request", requestId, method: c.req.method, path: capLogField(c.req.path), status, events: c.get("eventCount") ?? 0, ...(refusal && { reason: refusal }) };
      (status >= 500 ? console.error : console.log)(JSON.stringify(line));
    }
    // Accepted events are counted by the guard shard, one point per packed send (kind guard_send);
    // an accepted request still gets its own point when strings were repaired (rare, and worth seeing).
    const repaired = c.get("repairedStrings") ?? 0;
    if (c.req.path === "/webhooks/radar" && (status !== 202 || repaired > 0)) recordWebhookMetric(c.env.METRICS, status, refusal, c.get("eventTypes"), repaired);
  };
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
