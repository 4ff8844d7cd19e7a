#!/usr/bin/env node
// `npm start`: the whole pipeline on embedded defaults. PORT and KINESIS_PORT override the ports.
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { startPipeline } from "./lib/local-pipeline.mjs";

const port = Number(process.env.PORT ?? 8787);
const kinesisPort = Number(process.env.KINESIS_PORT ?? 4567);

const devVars = ensureDevVars();
if (devVars.created) console.log("Created .dev.vars from .dev.vars.example (local, harmless values).");

const pipeline = await startPipeline({ port, kinesisPort, onLog: (line) => console.log(`[wrangler] ${line}`) }).catch((err) => {
  console.error(`Could not start the pipeline: ${err.message}`);
  process.exit(1);
});

console.log(`
Milk telemetry pipeline is running.
  Webhook:     POST ${pipeline.url}/webhooks/radar
  Health:      GET  ${pipeline.url}/healthz
  Dev token:   ${pipeline.token}  (from .dev.vars)
  Kinesis:     ${pipeline.kinesis.endpoint}  stream "${pipeline.streamName}" (kinesalite, in memory)
  Lake (R2):   local, persisted under .wrangler/state

Try it:
  curl -i -X POST ${pipeline.url}/webhooks/radar \\
    -H 'Content-Type: application/json' \\
    -H 'X-Radar-Signing-Id: 6f1d2c3b-9a8e-4b7c-8d6e-5f4a3b2c1d0e' \\
    -H 'X-Radar-Signature: faf090039c3bae4aebc6d049d8602f1d5cd797f3' \\
    -d '{"event":{"_id":"demo-1","type":"user.entered_geofence","createdAt":"2024-03-05T14:09:49.871Z","location":{"type":"Point","coordinates":[-119.4339,36.22751]},"user":{"_id":"driver-1"},"geofence":{"tag":"farm","externalId":"farm-1183"}}}'

Press Ctrl-C to stop.`);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received, stopping wrangler dev and kinesalite...`);
  await pipeline.stop();
  process.exit(0);
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
