import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { shouldLog } from "../../src/edge/request-log";
import worker from "../../src/worker";
import { testEnv } from "../fixtures/queues";
import { makeEvent, signedHeaders } from "../fixtures/webhook";

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  const lines: { level: string; line: Record<string, unknown> }[] = [];
  for (const level of ["log", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((text: unknown) => void lines.push({ level, line: JSON.parse(String(text)) as Record<string, unknown> }));
  }
  return lines;
}

async function post(vars: Record<string, string>, headers: Record<string, string> = {}) {
  const run = { ...testEnv(), ...vars };
  const request = new Request("https://edge.test/webhooks/radar", { method: "POST", headers: { ...(await signedHeaders()), ...headers }, body: JSON.stringify({ event: makeEvent() }) });
  return worker.fetch(request, run, createExecutionContext());
}

describe("request log sampling", () => {
  it("logs every refusal even when successes are never sampled", async () => {
    const lines = captureLogs();
    const response = await post({ LOG_SUCCESS_SAMPLE_RATE: "0" }, { "x-radar-signature": "0".repeat(40) });
    expect(response.status).toBe(401);
    expect(lines).toEqual([{ level: "log", line: expect.objectContaining({ msg: "request", status: 401, reason: "unauthorized", path: "/webhooks/radar" }) }]);
  });

  it("logs no success at rate 0 and every success at rate 1", async () => {
    const lines = captureLogs();
    expect((await post({ LOG_SUCCESS_SAMPLE_RATE: "0" })).status).toBe(202);
    expect(lines).toEqual([]);
    expect((await post({ LOG_SUCCESS_SAMPLE_RATE: "1" })).status).toBe(202);
    expect(lines).toEqual([{ level: "log", line: expect.objectContaining({ msg: "request", status: 202, events: 1 }) }]);
  });

  it("samples successes at the default rate when the var is unset or invalid", () => {
    expect(shouldLog(202, undefined, undefined, 0.005)).toBe(true);
    expect(shouldLog(202, undefined, undefined, 0.5)).toBe(false);
    expect(shouldLog(202, undefined, "abc", 0.5)).toBe(false);
    expect(shouldLog(202, undefined, "2", 0.005)).toBe(true);
    expect(shouldLog(503, "queue_unavailable", "0", 0.99)).toBe(true);
    expect(shouldLog(404, undefined, "0", 0.99)).toBe(true);
  });
});
