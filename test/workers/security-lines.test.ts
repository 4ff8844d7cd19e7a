// Lines of docs/security.md that no other test proved on their own.
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { testEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

/** A guard binding that records whether anything asked it for a stub. */
function watchedGuard() {
  const watch = { touched: false };
  const guard = new Proxy({}, { get: () => ((watch.touched = true), () => { throw new Error("guard reached"); }) }) as unknown as Env["SIGNING_GUARD"];
  return { watch, guard };
}

describe("the guard sees only authenticated requests", () => {
  it.each([
    ["a wrong signature", { "x-radar-signature": "0".repeat(40) }],
    ["no signature", { "x-radar-signature": "" }],
  ])("%s is refused with 401 without touching the guard", async (_, headers) => {
    const { watch, guard } = watchedGuard();
    const env = testEnv({ SIGNING_GUARD: guard });
    const request = new Request("https://edge.test/webhooks/radar", { method: "POST", headers: { ...(await signedHeaders()), ...headers }, body: JSON.stringify({ event: makeEvent() }) });
    const response = await worker.fetch(request, env, createExecutionContext());
    expect(response.status).toBe(401);
    expect(watch.touched).toBe(false);
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
  });
});

describe("an admin token cannot inject events", () => {
  it.each([
    ["POST /admin/redrive", "redrive", "POST"],
    ["POST /admin/rebuild", "rebuild", "POST"],
    ["POST /admin/events", "events", "POST"],
    ["PUT /admin/rebuild", "rebuild", "PUT"],
  ])("%s with a webhook body is refused and enqueues nothing", async (_, path, method) => {
    const env = testEnv();
    const request = new Request(`https://edge.test/admin/${path}`, { method, headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" }, body: JSON.stringify({ event: makeEvent() }) });
    const response = await worker.fetch(request, env, createExecutionContext());
    expect([400, 404]).toContain(response.status);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: expect.stringMatching(/^(validation_failed|not_found)$/) }) });
    expect(env.INGEST_QUEUE.sent).toHaveLength(0);
    expect(env.FORWARD_QUEUE.sent).toHaveLength(0);
  });
});
