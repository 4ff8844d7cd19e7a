// Starts the whole pipeline locally: kinesalite (in this process) and `wrangler dev`
// (local Queues and R2) as a child process group, and stops both cleanly.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, ensureDevVars, readDevVars } from "./dev-vars.mjs";
import { ensureStream, kinesisClient, startKinesalite } from "./kinesis-local.mjs";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not become healthy within ${timeoutMs} ms`);
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

  const allVars = { ...vars, KINESIS_ENDPOINT: await workerKinesisEndpoint(kinesis.endpoint), KINESIS_STREAM_NAME: streamName };
  const args = [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", "--log-level", "info"];
  for (const [key, value] of Object.entries(allVars)) args.push("--var", `${key}:${value}`);
  if (persistTo) args.push("--persist-to", persistTo);
  const child = spawn(process.execPath, args, {
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
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    await kinesis.close();
  }
  try {
    await waitForHealth(url, child, 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, token: devVars.RADAR_WEBHOOK_TOKEN, streamName, kinesis: { endpoint: kinesis.endpoint, call }, stop };
}
