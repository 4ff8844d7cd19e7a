// `npm start` as a process manager sees it: ports, secrets on command lines, signals, a dying wrangler.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { freePort } from "../../scripts/lib/free-port.mjs";
import { radarSignature } from "../../scripts/lib/simulator.mjs";
import { alive, commandLine, descendants } from "./processes";
import { until } from "./until";

const suffix = crypto.randomUUID().slice(0, 8);
const SECRETS = { RADAR_WEBHOOK_TOKEN: `lifecycle-webhook-${suffix}`, ADMIN_TOKEN: `lifecycle-admin-${suffix}`, AWS_SECRET_ACCESS_KEY: `lifecycle-aws-${suffix}` };
let dir: string;
const started: ChildProcess[] = [];
const startedPids: number[] = [];

function devVarsFile(vars: Record<string, string>): string {
  const path = join(dir, `${crypto.randomUUID()}.vars`);
  writeFileSync(path, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  return path;
}

function launch(command: string[], env: Record<string, string>) {
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env: { ...process.env, ...env } });
  started.push(child);
  const out = { text: "" };
  child.stdout!.on("data", (d: Buffer) => (out.text += d));
  child.stderr!.on("data", (d: Buffer) => (out.text += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out, exited };
}

async function startPipelineProcess(command: string[]) {
  const port = await freePort();
  const kinesisPort = await freePort();
  const env = { PORT: String(port), KINESIS_PORT: String(kinesisPort), DEV_VARS_FILE: devVarsFile({ ...SECRETS, AWS_ACCESS_KEY_ID: "lifecycle-key" }) };
  const run = launch(command, env);
  await until("the pipeline to start", async () => run.out.text.includes("pipeline is running") || (run.child.exitCode !== null ? Promise.reject(new Error(run.out.text)) : false), 150_000, () => run.out.text);
  const pids = descendants(run.child.pid!);
  startedPids.push(...pids);
  return { ...run, port, kinesisPort, pids };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "milk-lifecycle-"));
});
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGTERM");
  // A failed test must not leave a pipeline behind: whatever it started is killed outright.
  for (const pid of startedPids.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start refuses what it cannot run", () => {
  let blocker: Server;
  let busy: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    busy = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it.each(["PORT", "KINESIS_PORT"])("a busy %s: exit 1, the message names the port and the variable", async (variable) => {
    const other = variable === "PORT" ? "KINESIS_PORT" : "PORT";
    const run = launch([process.execPath, "scripts/start.mjs"], { [variable]: String(busy), [other]: String(await freePort()), DEV_VARS_FILE: devVarsFile(SECRETS) });
    expect(await run.exited).toBe(1);
    expect(run.out.text).toContain(`${variable} ${busy} is already in use`);
    expect(run.out.text).not.toContain("pipeline is running");
  });

  it.each([
    ["", "RADAR_WEBHOOK_TOKEN is not set"],
    ["a,,b", "empty entry"],
    ["a,", "empty entry"],
    ["a,b,c", "3 tokens; at most 2"],
  ])("RADAR_WEBHOOK_TOKEN=%j: exit 1 (%s)", async (token, message) => {
    const env = { PORT: String(await freePort()), KINESIS_PORT: String(await freePort()), DEV_VARS_FILE: devVarsFile({ ...SECRETS, RADAR_WEBHOOK_TOKEN: token }) };
    const run = launch([process.execPath, "scripts/start.mjs"], env);
    expect(await run.exited).toBe(1);
    expect(run.out.text).toContain(message);
  });
});

describe("npm start runs and stops as a whole", () => {
  it("keeps secrets off every command line, loads the optional ones, shows Worker logs, and SIGTERM to npm stops everything", async () => {
    const run = await startPipelineProcess(["npm", "start", "--silent"]);
    expect(run.pids.length).toBeGreaterThanOrEqual(4); // sh, node, wrangler, workerd...
    const lines = run.pids.map(commandLine);
    expect(lines.some((l) => l.includes("wrangler"))).toBe(true);
    for (const value of Object.values(SECRETS)) expect(lines.filter((l) => l.includes(value))).toEqual([]);

    const url = `http://127.0.0.1:${run.port}`;
    const admin = await fetch(`${url}/admin/redrive`, { method: "POST", headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" }, body: '{"queue":"ingest","limit":1}' });
    expect(admin.status).toBe(200);
    const signingId = crypto.randomUUID();
    const body = JSON.stringify({ event: { _id: `lifecycle-${suffix}`, type: "user.updated_trip", createdAt: new Date().toISOString(), location: { type: "Point", coordinates: [-119.4, 36.2] }, user: { _id: "d1" } } });
    const webhook = await fetch(`${url}/webhooks/radar`, { method: "POST", headers: { "content-type": "application/json", "x-radar-signing-id": signingId, "x-radar-signature": radarSignature(SECRETS.RADAR_WEBHOOK_TOKEN, signingId) }, body });
    expect(webhook.status).toBe(202);
    await until("the Worker's own log line", async () => /"msg":"request".*"path":"\/webhooks\/radar","status":202/.test(run.out.text), 20_000, () => run.out.text);

    run.child.kill("SIGTERM"); // the npm process, as `kill <pid>` or a process manager would
    await until("every process npm start began to exit", async () => run.pids.every((p) => !alive(p)), 30_000, () => run.pids.filter(alive).map(commandLine).join("\n"));
    expect(await portFree(run.port)).toBe(true);
    expect(await portFree(run.kinesisPort)).toBe(true);
  }, 240_000);

  it("SIGINT while wrangler is still booting stops it too (nothing is left behind)", async () => {
    const port = await freePort();
    const kinesisPort = await freePort();
    const run = launch([process.execPath, "scripts/start.mjs"], { PORT: String(port), KINESIS_PORT: String(kinesisPort), DEV_VARS_FILE: devVarsFile(SECRETS) });
    // Signal as soon as the wrangler process exists, seconds before it can answer (waiting for its
    // first output line raced its readiness on an idle machine).
    let pids: number[] = [];
    await until("wrangler to be spawned", async () => (pids = descendants(run.child.pid!)).some((p) => commandLine(p).includes("wrangler")), 60_000, () => run.out.text);
    run.child.kill("SIGINT");
    startedPids.push(...pids);
    expect(await within(run.exited, 30_000, "npm start exiting on SIGINT during start-up")).toBe(0);
    expect(run.out.text).toContain("SIGINT received during start-up");
    expect(run.out.text).not.toContain("pipeline is running");
    await until("the group to be gone", async () => [...pids, ...descendants(run.child.pid!)].every((p) => !alive(p)), 30_000, () => pids.filter(alive).map(commandLine).join("\n"));
    expect(await portFree(port)).toBe(true);
    expect(await portFree(kinesisPort)).toBe(true);
  }, 120_000);

  it("exits non-zero and frees the ports when wrangler dies; SIGHUP stops a second run cleanly", async () => {
    const first = await startPipelineProcess([process.execPath, "scripts/start.mjs"]);
    const wrangler = first.pids.find((p) => commandLine(p).includes("wrangler.js") && !commandLine(p).includes("wrangler-dist"));
    expect(wrangler).toBeDefined();
    process.kill(wrangler!, "SIGKILL");
    expect(await within(first.exited, 30_000, "npm start exiting after wrangler died")).toBe(1);
    expect(first.out.text).toContain("wrangler dev exited unexpectedly");
    await until("the group to be gone", async () => first.pids.every((p) => !alive(p)), 30_000);
    expect(await portFree(first.kinesisPort)).toBe(true);

    const second = await startPipelineProcess([process.execPath, "scripts/start.mjs"]);
    second.child.kill("SIGHUP");
    expect(await within(second.exited, 30_000, "npm start exiting on SIGHUP")).toBe(0);
    await until("the group to be gone", async () => second.pids.every((p) => !alive(p)), 30_000);
    expect(await portFree(second.port)).toBe(true);
  }, 360_000);
});

describe("npm run bench stops what it started", () => {
  it("SIGTERM mid-section stops both wrangler dev groups (they run detached) and removes the pipeline's secrets config and state", async () => {
    // The full section (4 rounds of 6 s per reference): a smoke run can end before the signal lands.
    const run = launch([process.execPath, "bench/run.mjs", "--only", "webhook"], { DEV_VARS_FILE: devVarsFile({ ...SECRETS, AWS_ACCESS_KEY_ID: "lifecycle-key" }) });
    // The no-op's wrangler starts once the pipeline answers: both groups are up then.
    let pids: number[] = [];
    await until("the no-op's wrangler dev", async () => (pids = descendants(run.child.pid!)).some((p) => commandLine(p).includes("noop-wrangler.toml")), 120_000, () => run.out.text);
    startedPids.push(...pids);
    const lines = pids.map(commandLine).join(" ");
    const configDir = lines.match(/--config (\S*milk-dev-[^/\s]+)\//)?.[1];
    const stateDir = lines.match(/--persist-to (\S*milk-bench-[^/\s]+)/)?.[1];
    expect(configDir).toBeDefined();
    expect(stateDir).toBeDefined();
    expect(existsSync(configDir!) && existsSync(stateDir!)).toBe(true);
    run.child.kill("SIGTERM");
    expect(await within(run.exited, 30_000, "the bench exiting on SIGTERM"), run.out.text).toBe(130);
    expect(run.out.text).toContain("SIGTERM received");
    await until("every process the bench started to exit", async () => pids.every((p) => !alive(p)), 30_000, () => pids.filter(alive).map(commandLine).join("\n"));
    expect(existsSync(configDir!)).toBe(false);
    expect(existsSync(stateDir!)).toBe(false);
  }, 180_000);
});
