import { Hono } from "hono";
import type { IngestMessage } from "./contract/ingest-message";
import type { AppEnv } from "./edge/app-env";
import { withRequestLog } from "./edge/request-log";
import { ApiError, handleError, renderError } from "./errors";
import { handleQueue } from "./queue-consumer";
import { admin } from "./routes/admin";
import { radarWebhook } from "./routes/radar-webhook";
import { checkHealth } from "./routes/healthz";

export { SigningGuard } from "./guard/signing-guard";

const app = new Hono<AppEnv>()
  .get("/healthz", checkHealth)
  .route("/webhooks/radar", radarWebhook)
  .route("/admin", admin)
  .notFound((c) => renderError(c, new ApiError("not_found", "no such route")))
  .onError(handleError);

export default {
  fetch: withRequestLog(app.fetch),
  queue: handleQueue,
} satisfies ExportedHandler<Env, IngestMessage>;
