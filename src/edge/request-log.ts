import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { recordMetric } from "../metrics";

/**
 * Assigns a request id, writes one structured log line per request and, for the webhook,
 * one metric point per event type (or per refusal). Never logs headers or bodies: they
 * carry the webhook signature.
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const requestId = crypto.randomUUID();
    c.set("requestId", requestId);
    await next();
    c.header("X-Request-Id", requestId);
    console.log(
      JSON.stringify({
        msg: "request",
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        events: c.get("eventCount") ?? 0,
        ...(c.get("refusal") && { reason: c.get("refusal") }),
      }),
    );
    if (c.req.path === "/webhooks/radar") recordWebhookMetrics(c.env.METRICS, c.res.status, c.get("refusal"), c.get("eventTypes"));
  };
}

function recordWebhookMetrics(dataset: AnalyticsEngineDataset, status: number, refusal: string | undefined, types: Map<string, number> | undefined) {
  const outcome = refusal ?? (status === 202 ? "accepted" : `status_${status}`);
  if (!types?.size) return recordMetric(dataset, { kind: "webhook", outcome, label: "", count: 0, figures: [status] });
  for (const [type, count] of types) recordMetric(dataset, { kind: "webhook", outcome, label: type, count, figures: [status] });
}
