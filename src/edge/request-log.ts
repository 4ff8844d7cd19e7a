import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";

/**
 * Assigns a request id and writes one structured log line per request.
 * Never logs headers or bodies: they carry the webhook signature.
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
  };
}
