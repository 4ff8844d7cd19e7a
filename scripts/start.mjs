#!/usr/bin/env node
// `npm start`: the whole pipeline on embedded defaults. PORT and KINESIS_PORT override the ports.
import { fail, parseCli } from "./lib/cli.mjs";
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { assertPortFree } from "./lib/free-port.mjs";
import { startPipeline } from "./lib/local-pipeline.mjs";
import { startBanner } from "./lib/start-banner.mjs";

parseCli({
  help: `
usage: npm start [-- --help]

Runs the whole pipeline locally: wrangler dev (Worker, local Queues and R2 persisted under
.wrangler/state) and kinesalite (an in-memory Kinesis). Stops everything on Ctrl-C, SIGTERM or
SIGHUP; exits non-zero if wrangler dev dies.

Environment:
  PORT          webhook port (default 8787)
  KINESIS_PORT  local Kinesis port (default 4567)
Secrets come from .dev.vars (created from .dev.vars.example on first run).

example:
  PORT=8788 KINESIS_PORT=4568 npm start`,
});

function portFromEnv(variable, fallback) {
  const text = process.env[variable] ?? String(fallback);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) fail(`${variable} must be a port number from 1 to 65535, got "${text}"`);
  return Number(text);
}
const port = portFromEnv("PORT", 8787);
const kinesisPort = portFromEnv("KINESIS_PORT", 4567);

if (ensureDevVars().created) console.log("Created .dev.vars from .dev.vars.example (local, harmless values).");
try {
  await assertPortFree(port, "PORT");
  await assertPortFree(kinesisPort, "KINESIS_PORT");
} catch (err) {
  fail(err.message);
}

// A signal during start-up (wrangler takes seconds to boot) aborts it; start-up stops what it began.
const startup = new AbortController();
let pipeline;
let stopping = false;
async function shutdown(reason, code) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}, stopping wrangler dev and kinesalite...`);
  await pipeline.stop();
  process.exit(code);
}
const stopFor = (reason, code) => (pipeline ? shutdown(reason, code) : startup.abort(reason));
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stopFor(`${signal} received`, 0));
// `npm start` runs us under npm and sh; when either is killed (kill <npm pid>, a process manager),
// we are re-parented, and stop too instead of leaving wrangler, workerd and kinesalite behind.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stopFor("parent process exited", 1), 500).unref();

// Every success is logged locally, so each request shows up below; production samples them.
try {
  pipeline = await startPipeline({ port, kinesisPort, vars: { LOG_SUCCESS_SAMPLE_RATE: "1" }, onLog: (line) => console.log(`[wrangler] ${line}`), signal: startup.signal });
} catch (err) {
  if (startup.signal.aborted) {
    console.log(`\n${startup.signal.reason} during start-up; stopped what had started.`);
    process.exit(0);
  }
  fail(`could not start the pipeline: ${err.message}`, "fix .dev.vars or the port, then run `npm start` again");
}
// A signal in the moment between wrangler answering and `pipeline` being set only aborted.
if (startup.signal.aborted) await shutdown(startup.signal.reason, 0);
console.log(startBanner(pipeline));
pipeline.exited.then(({ code, signal }) => shutdown(`wrangler dev exited unexpectedly (${signal ?? `code ${code}`})`, 1));
