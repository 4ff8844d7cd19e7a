#!/usr/bin/env node
// npm run kinesis -- tail: what reached the local Kinesis stream (kinesalite of `npm start`).
import { connectionHint, fail, intOption, parseCli, urlOption, usageError } from "./lib/cli.mjs";
import { followRecords, kinesisClient } from "./lib/kinesis-local.mjs";
import { existsSync } from "node:fs";
import { DEV_VARS_PATH, readDevVars } from "./lib/dev-vars.mjs";

const devVars = existsSync(DEV_VARS_PATH) ? readDevVars() : {};
const { positionals, values } = parseCli({
  help: `
usage: npm run kinesis -- tail [--follow] [--limit N] [--stream NAME] [--endpoint URL]

Prints the records in the local Kinesis stream (kinesalite, in memory: it starts empty with every
\`npm start\`), one JSON line each: shard, partition key (the driver), and the forwarded event.

options:
  --follow         keep printing new records until Ctrl-C
  --limit N        only the last N records already in the stream (default: all)
  --stream NAME    stream (default KINESIS_STREAM_NAME from .dev.vars, else milk-geofence-events)
  --endpoint URL   kinesalite (default http://127.0.0.1:$KINESIS_PORT or :4567)

example:
  npm run kinesis -- tail --follow`,
  allowPositionals: true,
  options: {
    follow: { type: "boolean", default: false },
    limit: { type: "string" },
    stream: { type: "string", default: devVars.KINESIS_STREAM_NAME ?? "milk-geofence-events" },
    endpoint: { type: "string", default: `http://127.0.0.1:${process.env.KINESIS_PORT ?? 4567}` },
  },
});
const [command, ...extra] = positionals;
if (command !== "tail") usageError(command ? `unknown command "${command}"` : "a command is needed: tail");
if (extra.length) usageError(`unexpected argument "${extra[0]}"`);
const endpoint = urlOption(values, "endpoint");
const limit = values.limit === undefined ? Infinity : intOption(values, "limit", { min: 1 });

const call = kinesisClient(endpoint);
try {
  await call("DescribeStream", { StreamName: values.stream });
} catch (err) {
  if (String(err.type).includes("ResourceNotFound")) fail(`no stream "${values.stream}" at ${endpoint}`, "check --stream (npm start prints the stream name)");
  fail(`cannot reach local Kinesis`, connectionHint(endpoint, err).replace("(or pass --url)", "(or pass --endpoint)"));
}
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop.abort());
let printed = 0;
await followRecords(call, values.stream, {
  follow: values.follow,
  limit,
  signal: stop.signal,
  onRecord: (record) => {
    printed++;
    console.log(JSON.stringify(record));
  },
}).catch((err) => fail(`reading the stream failed: ${err.message}`, "is `npm start` still running?"));
if (!values.follow) console.error(`${printed} record(s) in ${values.stream}`);
