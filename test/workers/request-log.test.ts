import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Hono } from "hono";
import type { AppEnv } from "../../src/edge/app-env";
import { shouldLog, withRequestLog } from "../../src/edge/request-log";
import { handleError } from "../../src/errors";
import { LOG_FIELD_MAX_CHARS, capLogField } from "../../src/log-field";
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
    expect(shouldLog(202, undefined, undefined, 0.0005)).toBe(true);
    expect(shouldLog(202, undefined, undefined, 0.005)).toBe(false);
    expect(shouldLog(202, undefined, "abc", 0.0005)).toBe(true);
    expect(shouldLog(202, undefined, "abc", 0.005)).toBe(false);
    expect(shouldLog(202, undefined, "2", 0.0005)).toBe(true);
    expect(shouldLog(202, undefined, "2", 0.005)).toBe(false);
    expect(shouldLog(503, "queue_unavailable", "0", 0.99)).toBe(true);
    expect(shouldLog(404, undefined, "0", 0.99)).toBe(true);
  });
});

describe("X-Request-Id", () => {
  const fetchPath = async (path: string, init: RequestInit = {}) =>
    worker.fetch(new Request(`https://edge.test${path}`, init), { ...testEnv(), LOG_SUCCESS_SAMPLE_RATE: "1" }, createExecutionContext());

  it.each([
    ["an accepted webhook", 202, async () => post({ LOG_SUCCESS_SAMPLE_RATE: "1" })],
    ["a refused signature", 401, async () => post({}, { "x-radar-signature": "0".repeat(40) })],
    ["a body that fails validation", 400, async () => fetchPath("/webhooks/radar", { method: "POST", headers: await signedHeaders(), body: "{}" })],
    ["an unknown route", 404, async () => fetchPath("/nope")],
    ["a wrong method", 405, async () => fetchPath("/webhooks/radar", { method: "GET" })],
    ["an admin call without its token", 401, async () => fetchPath("/admin/redrive", { method: "POST", body: "{}" })],
  ])("is on %s (%i) and names the request in its log line", async (_, status, send) => {
    const lines = captureLogs();
    const response = await send();
    expect(response.status).toBe(status);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(lines.at(-1)?.line).toMatchObject({ msg: "request", status, requestId: id });
  });

  it("is added to a Response a handler builds itself", async () => {
    const app = new Hono<AppEnv>().get("/raw", () => new Response("raw", { status: 200 }));
    const lines = captureLogs();
    const response = await withRequestLog(app.fetch)(new Request("https://edge.test/raw"), { ...testEnv(), LOG_SUCCESS_SAMPLE_RATE: "1" }, createExecutionContext());
    expect(await response.text()).toBe("raw");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.at(-1)?.line).toMatchObject({ msg: "request", status: 200, requestId: response.headers.get("x-request-id") });
  });

  it("is added to a Response whose headers are immutable, by copying it", async () => {
    const app = new Hono<AppEnv>().get("/moved", () => Response.redirect("https://edge.test/elsewhere", 301));
    captureLogs();
    const response = await withRequestLog(app.fetch)(new Request("https://edge.test/moved"), testEnv(), createExecutionContext());
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("https://edge.test/elsewhere");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("caller-controlled strings in log lines", () => {
  it(`caps the request path at LOG_FIELD_MAX_CHARS (${LOG_FIELD_MAX_CHARS}) and says how much was cut`, async () => {
    const lines = captureLogs();
    const path = `/${"p".repeat(12_000)}`;
    const response = await worker.fetch(new Request(`https://edge.test${path}`), testEnv(), createExecutionContext());
    expect(response.status).toBe(404);
    const { line } = lines.at(-1)!;
    expect(line.path).toBe(`${path.slice(0, LOG_FIELD_MAX_CHARS)}…[+${path.length - LOG_FIELD_MAX_CHARS} chars]`);
    expect(JSON.stringify(line).length).toBeLessThan(1_000);
  });

  it("keeps a short field whole and never leaves half a surrogate pair at the cut", () => {
    expect(capLogField("/webhooks/radar")).toBe("/webhooks/radar");
    expect(capLogField("a".repeat(LOG_FIELD_MAX_CHARS))).toBe("a".repeat(LOG_FIELD_MAX_CHARS));
    const cut = capLogField(`${"a".repeat(LOG_FIELD_MAX_CHARS - 1)}😀tail`);
    expect(cut.isWellFormed()).toBe(true);
    expect(cut).toBe(`${"a".repeat(LOG_FIELD_MAX_CHARS - 1)}\ufffd…[+5 chars]`);
  });

  it("caps the message of an unhandled error", async () => {
    const lines = captureLogs();
    const app = new Hono<AppEnv>().get("/boom", () => {
      throw new Error(`caller said ${"x".repeat(5_000)}`);
    }).onError(handleError);
    expect((await withRequestLog(app.fetch)(new Request("https://edge.test/boom"), testEnv(), createExecutionContext())).status).toBe(500);
    const logged = lines.find((l) => l.line.msg === "unhandled error")!.line;
    expect((logged.error as string).length).toBeLessThanOrEqual(LOG_FIELD_MAX_CHARS + 20);
  });
});
