// Starts the whole pipeline locally: kinesalite (in this process) and `wrangler dev`
// (local Queues and R2) as a child process group, and stops both cleanly.
import { join } from "node:path";
import { writeDevConfig, splitSecrets } from "./dev-config.mjs";
import { ROOT, ensureDevVars, readDevVars, webhookTokenProblem } from "./dev-vars.mjs";
import { ensureStream, kinesisClient, startKinesalite } from "./kinesis-local.mjs";
import { startWranglerDev } from "./wrangler-dev.mjs";

export { startWranglerDev } from "./wrangler-dev.mjs";

async function startKinesis(port, streamName) {
  const kinesis = await startKinesalite({ port }).catch((err) => {
    throw err.code === "EADDRINUSE" ? new Error(`KINESIS_PORT ${port} is already in use (another \`npm start\`?). Stop it or set KINESIS_PORT to a free port.`) : err;
  });
  const call = kinesisClient(kinesis.endpoint);
  await ensureStream(call, streamName);
  return { ...kinesis, call };
}

/**
 * @param {{ port?: number, kinesisPort?: number, persistTo?: string, vars?: Record<string,string>,
 *   onLog?: (line: string) => void, workerKinesisEndpoint?: (kinesalite: string) => Promise<string> }} options
 *   `vars` may hold secrets (ADMIN_TOKEN, …): they go to a private env file, never to the command line.
 *   `workerKinesisEndpoint` lets tests put a fault-injecting proxy between the Worker and kinesalite.
 *   `signal` aborts the start-up; whatever was started is stopped before the promise rejects.
 */
export async function startPipeline({ port = 8787, kinesisPort = 4567, persistTo, vars = {}, onLog = () => {}, workerKinesisEndpoint = async (e) => e, signal } = {}) {
  ensureDevVars();
  const devVars = readDevVars();
  const { secrets, plain } = splitSecrets(vars);
  const allSecrets = { ...devVars, ...secrets };
  const problem = await webhookTokenProblem(allSecrets.RADAR_WEBHOOK_TOKEN);
  if (problem) throw new Error(problem);
  const streamName = plain.KINESIS_STREAM_NAME ?? devVars.KINESIS_STREAM_NAME ?? "milk-geofence-events";
  const kinesis = await startKinesis(kinesisPort, streamName);
  const config = writeDevConfig(allSecrets);
  // Plain vars only: wrangler dev does not apply .dev.vars vars when [secrets] is declared.
  const allVars = { ...plain, KINESIS_ENDPOINT: await workerKinesisEndpoint(kinesis.endpoint), KINESIS_STREAM_NAME: streamName };
  // The compaction Worker runs in the same wrangler dev (a second config): one set of local queues
  // and R2, so the edge's rebuild route and the lake writer feed the compaction consumer and cron.
  const args = [...config.args, "--config", join(ROOT, "wrangler.compact.toml"), "--persist-to", persistTo ?? join(ROOT, ".wrangler", "state")];
  for (const [key, value] of Object.entries(allVars)) args.push("--var", `${key}:${value}`);
  let worker;
  try {
    worker = await startWranglerDev({ args, port, onLog, signal });
  } catch (err) {
    config.remove();
    await kinesis.close();
    throw err;
  }
  let stopped;
  function stop() {
    stopped ??= (async () => {
      await worker.stop();
      config.remove();
      await kinesis.close();
    })();
    return stopped;
  }
  const token = allSecrets.RADAR_WEBHOOK_TOKEN.split(",")[0].trim();
  // removeConfig: for a signal handler that cannot wait for stop(); the config holds the secrets.
  return { url: worker.url, token, streamName, wranglerPid: worker.pid, exited: worker.exited, kinesis: { endpoint: kinesis.endpoint, call: kinesis.call }, stop, removeConfig: config.remove };
}
