// The commands as an operator runs them: --help, argument errors, exit codes, hints.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { ensureStream, kinesisClient, startKinesalite } from "../../scripts/lib/kinesis-local.mjs";
import { until } from "./until";

/** Runs `node scripts/<script> ...args` (or a path with a slash, from the root; no shell) without blocking this process's servers. */
function run(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script.includes("/") ? join(ROOT, script) : join(ROOT, "scripts", script), ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const COMMANDS: [string, string[]][] = [
  ["start.mjs", []],
  ["simulate.mjs", []],
  ["lake.mjs", ["pull"]],
  ["ops.mjs", ["rebuild"]],
  ["kinesis.mjs", ["tail"]],
  ["deploy.mjs", []],
  ["bench/run.mjs", []],
];

describe("--help and unknown options", () => {
  it.each(COMMANDS)("%s --help prints usage, options and an example, exit 0", async (script, args) => {
    const { code, stdout, stderr } = await run(script, [...args, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm /);
    expect(stdout).toMatch(/\nexample:\n/);
    expect(stderr).toBe("");
  });

  it.each(COMMANDS)("%s --frobnicate is a usage error (exit 2), no stack trace", async (script, args) => {
    const { code, stderr } = await run(script, [...args, "--frobnicate"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--frobnicate'");
    expect(stderr).toContain("--help");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe("argument validation", () => {
  it.each([
    ["simulate.mjs", ["--drivers", "abc"], "--drivers must be a whole number"],
    ["simulate.mjs", ["--speedup=-1"], "--speedup must be a number"],
    ["simulate.mjs", ["--url", "localhost:8787"], "--url must be an http(s) URL"],
    ["ops.mjs", ["rebuild", "--from", "yesterday", "--to", "2026-11-24T03:00:00Z"], "--from must be an ISO 8601 time"],
    ["ops.mjs", ["rebuild", "--from", "2026-11-24T06:00:00Z", "--to", "2026-11-24T03:00:00Z"], "must be after --from"],
    ["ops.mjs", ["rebuild", "--from", "2025-11-24T00:00:00Z", "--to", "2026-11-24T00:00:00Z"], "at most 744"],
    ["ops.mjs", ["redrive", "--queue", "lake"], "--queue must be ingest, forward or table"],
    ["ops.mjs", [], "a command is needed"],
    ["lake.mjs", ["query"], "query needs SQL"],
    ["kinesis.mjs", ["tail", "--limit", "0"], "--limit must be a whole number"],
    ["bench/run.mjs", ["--only", "webhook,speed"], 'unknown bench section "speed"'],
    ["bench/run.mjs", ["--connections", "16x"], "--connections must be a whole number"],
    ["deploy.mjs", [], "an environment is needed"],
    ["deploy.mjs", ["--env", "dev"], "--env must be staging or production"],
  ])("%s %j → exit 2: %s", async (script, args, message) => {
    const { code, stderr } = await run(script, args, { ADMIN_TOKEN: "t" });
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it("PORT must be a port number", async () => {
    const { code, stderr } = await run("start.mjs", [], { PORT: "eighty" });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be a port number from 1 to 65535, got "eighty"');
  });
});

describe("failures explain themselves and exit 1", () => {
  let server: Server;
  let refusingUrl: string;
  beforeAll(async () => {
    // Answers like a Worker whose token differs: healthy, but every webhook is 401.
    server = createServer((req, res) => {
      res.writeHead(req.url === "/healthz" ? 200 : 401, { "content-type": "application/json" });
      res.end(req.url === "/healthz" ? '{"status":"ok"}' : '{"error":{"code":"unauthorized","message":"no"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    refusingUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("simulate: nothing listening → exit 1 and a hint to run npm start", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await run("simulate.mjs", ["--url", url, "--minutes", "1", "--drivers", "1"]);
    expect(code).toBe(1);
    expect(stderr).toContain(`nothing is listening at ${url}; is \`npm start\` running`);
  });

  it("simulate: every request refused → exit 1 and a hint about the token", async () => {
    const { code, stdout, stderr } = await run("simulate.mjs", ["--url", refusingUrl, "--minutes", "5", "--drivers", "1", "--speedup", "0", "--token", "wrong"]);
    expect(stdout).toMatch(/refused\s+[1-9]/);
    expect(stderr).toContain("refused as unauthorized");
    expect(stderr).toContain("RADAR_WEBHOOK_TOKEN");
    expect(code).toBe(1);
  });

  it("ops: nothing listening → exit 1 with the URL; a 401 → a hint about the token", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const down = await run("ops.mjs", ["redrive", "--url", url, "--token", "t"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`nothing is listening at ${url}`);
    const refused = await run("ops.mjs", ["redrive", "--url", refusingUrl, "--token", "t"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("HTTP 401");
    expect(refused.stderr).toContain("check the admin token");
  });

  it("kinesis tail: nothing listening → exit 1 naming the endpoint", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await run("kinesis.mjs", ["tail", "--endpoint", endpoint]);
    expect(code).toBe(1);
    expect(stderr).toContain(`nothing is listening at ${endpoint}`);
  });

  it("lake query on an empty folder → exit 1 and says what to run", async () => {
    const { code, stderr } = await run("lake.mjs", ["query", "SELECT 1", "--lake", join(ROOT, "test", "fixtures", "no-such-lake")]);
    expect(code).toBe(1);
    expect(stderr).toContain("npm run lake -- pull");
  });
});

describe("kinesis tail shows what reached the local stream", () => {
  let kinesis: { endpoint: string; close: () => Promise<void> };
  let call: (operation: string, body: unknown) => Promise<unknown>;
  const stream = "cli-tail-test";
  const put = (driver: string, n: number) =>
    call("PutRecord", { StreamName: stream, PartitionKey: driver, Data: Buffer.from(JSON.stringify({ id: `evt-${n}`, user_id: driver })).toString("base64") });
  beforeAll(async () => {
    kinesis = await startKinesalite({ port: 0 });
    call = kinesisClient(kinesis.endpoint);
    await ensureStream(call, stream, 2);
    for (let n = 1; n <= 3; n++) await put(`driver-${n}`, n);
  });
  afterAll(() => kinesis.close());

  it("prints one JSON line per record (partition key and event), --limit keeps the last ones", async () => {
    const all = await run("kinesis.mjs", ["tail", "--endpoint", kinesis.endpoint, "--stream", stream]);
    expect(all.code).toBe(0);
    const records = all.stdout.trim().split("\n").map((l) => JSON.parse(l) as { partitionKey: string; data: { id: string; user_id: string } });
    expect(records.map((r) => r.data.id).sort()).toEqual(["evt-1", "evt-2", "evt-3"]);
    for (const r of records) expect(r.partitionKey).toBe(r.data.user_id);
    expect(all.stderr).toContain(`3 record(s) in ${stream}`);
    const last = await run("kinesis.mjs", ["tail", "--endpoint", kinesis.endpoint, "--stream", stream, "--limit", "1"]);
    expect(last.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("--follow prints records as they arrive and stops on SIGTERM with exit 0", async () => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "kinesis.mjs"), "tail", "--follow", "--limit", "1", "--endpoint", kinesis.endpoint, "--stream", stream], { cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await until("the existing record", async () => stdout.includes("evt-"), 20_000, () => stdout);
      await new Promise((r) => setTimeout(r, 1500)); // past the LATEST iterators' creation
      await put("driver-9", 9);
      await until("the new record", async () => stdout.includes('"evt-9"'), 20_000, () => stdout);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("an unknown stream → exit 1 naming it", async () => {
    const { code, stderr } = await run("kinesis.mjs", ["tail", "--endpoint", kinesis.endpoint, "--stream", "no-such-stream"]);
    expect(code).toBe(1);
    expect(stderr).toContain('no stream "no-such-stream"');
  });
});
