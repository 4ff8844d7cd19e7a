// Starts the whole pipeline locally: kinesalite (in this process) and `wrangler dev`
// (local Queues and R2) as a child process group, and stops both cleanly.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, ensureDevVars, readDevVars } from "./dev-vars.mjs";
import { freePort } from "./free-port.mjs";
import { ensureStream, kinesisClient, startKinesalite } from "./kinesis-local.mjs";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not become healthy within ${timeoutMs} ms`);
}

/**
 * Runs `wrangler dev` as its own process group; resolves once /healthz (or `readyPath`) answers.
 * @param {{ args: string[], port: number, onLog?: (line: string) => void, readyPath?: string }} options
 */
export async function startWranglerDev({ args, port, onLog = () => {}, readyPath = "/healthz" }) {
  // Each instance gets its own inspector port, so several can run side by side.
  const inspector = ["--inspector-port", String(await freePort())];
  const child = spawn(process.execPath, [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", ...inspector, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => chunk.split("\n").filter(Boolean).forEach(onLog));
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(url + readyPath, child, 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/**
 * @param {{ port?: number, kinesisPort?: number, persistTo?: string, vars?: Record<string,string>,
 *   onLog?: (line: string) => void, workerKinesisEndpoint?: (kinesalite: string) => Promise<string> }} options
 *   `workerKinesisEndpoint` lets tests put a fault-injecting proxy between the Worker and kinesalite.
 */
export async function startPipeline({ port = 8787, kinesisPort = 4567, persistTo, vars = {}, onLog = () => {}, workerKinesisEndpoint = async (e) => e } = {}) {
  ensureDevVars();
  const devVars = readDevVars();
  const streamName = vars.KINESIS_STREAM_NAME ?? devVars.KINESIS_STREAM_NAME ?? "milk-geofence-events";
  const kinesis = await startKinesalite({ port: kinesisPort });
  const call = kinesisClient(kinesis.endpoint);
  await ensureStream(call, streamName);

  // Optional secrets are not in `[secrets] required`, so wrangler dev does not load them
  // from .dev.vars; pass them explicitly.
  const optional = Object.fromEntries(["ADMIN_TOKEN", "AWS_SESSION_TOKEN"].filter((k) => devVars[k]).map((k) => [k, devVars[k]]));
  const allVars = { ...optional, ...vars, KINESIS_ENDPOINT: await workerKinesisEndpoint(kinesis.endpoint), KINESIS_STREAM_NAME: streamName };
  const args = ["--log-level", "info"];
  for (const [key, value] of Object.entries(allVars)) args.push("--var", `${key}:${value}`);
  if (persistTo) args.push("--persist-to", persistTo);
  let worker;
  try {
    worker = await startWranglerDev({ args, port, onLog });
  } catch (err) {
    await kinesis.close();
    throw err;
  }
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    await worker.stop();
    await kinesis.close();
  }
  return { url: worker.url, token: devVars.RADAR_WEBHOOK_TOKEN.split(",")[0].trim(), streamName, kinesis: { endpoint: kinesis.endpoint, call }, stop };
}
