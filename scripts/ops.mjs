#!/usr/bin/env node
// npm run ops -- redrive|rebuild: calls the Worker's admin routes (local `npm start` or deployed).
import { existsSync } from "node:fs";
import { connectionHint, fail, parseCli, urlOption, usageError } from "./lib/cli.mjs";
import { DEV_VARS_PATH, readDevVars } from "./lib/dev-vars.mjs";
import { rebuild, redrive } from "./lib/ops-client.mjs";
import { parseHourRange } from "./lib/hour-range.mjs";

const { positionals, values } = parseCli({
  help: `
usage: npm run ops -- redrive --queue ingest|forward|table [--url URL] [--token TOKEN]
       npm run ops -- rebuild --from ISO --to ISO [--url URL] [--token TOKEN]

redrive   sends every parked dead letter of a queue back to it
rebuild   recompacts locations/ from raw/ for [from, to) (whole UTC hours, at most 31 days): one
          compaction job per hour, then waits for each and prints its rows, files and rejects

options:
  --queue ingest|forward|table   redrive: which queue's dead letters (default ingest)
  --from, --to             rebuild: ISO 8601 times, e.g. 2026-11-24T03:00:00Z; from before to
  --url URL                the Worker (default http://127.0.0.1:$PORT or :8787, i.e. \`npm start\`)
  --token TOKEN            admin token (default: ADMIN_TOKEN from the environment, then .dev.vars)

example:
  npm run ops -- rebuild --from 2026-11-24T03:00:00Z --to 2026-11-24T06:00:00Z`,
  allowPositionals: true,
  options: {
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 8787}` },
    token: { type: "string" },
    queue: { type: "string", default: "ingest" },
    from: { type: "string" },
    to: { type: "string" },
  },
});
const [command, ...extra] = positionals;
if (!["redrive", "rebuild"].includes(command)) usageError(command ? `unknown command "${command}"` : "a command is needed: redrive or rebuild");
if (extra.length) usageError(`unexpected argument "${extra[0]}"`);
const url = urlOption(values);
if (command === "redrive" && !["ingest", "forward", "table"].includes(values.queue)) usageError(`--queue must be ingest, forward or table, got "${values.queue}"`);
const range = command === "rebuild" ? parseHourRange(values.from, values.to) : undefined;
if (range?.error) usageError(range.error);

const devVars = existsSync(DEV_VARS_PATH) ? readDevVars() : {};
const token = values.token ?? process.env.ADMIN_TOKEN ?? devVars.ADMIN_TOKEN;
if (!token) fail("no admin token", "pass --token, set ADMIN_TOKEN, or add ADMIN_TOKEN to .dev.vars");

try {
  if (command === "redrive") {
    const total = await redrive({ url, token, queue: values.queue, onPage: (p) => console.log(`redrove ${p.redriven} message(s) to ${p.queue}`) });
    console.log(`Redrive done: ${total} message(s) sent back to the ${values.queue} queue.`);
  } else {
    const hours = await rebuild({
      url, token, from: range.from, to: range.to,
      onHour: (h) => console.log(`${h.partition}: ${h.state}, ${h.rows} rows in ${h.files.length} file(s) from ${h.rawObjects} raw object(s), replaced ${h.replaced} object(s), ${h.rejected} rejected envelope(s)${h.rejected ? ` (copied to quarantine/rebuild/${h.partition}/)` : ""}${h.reason ? `: ${h.reason}` : ""}`),
    });
    console.log(`Rebuild done: ${hours.length} hour(s), ${hours.reduce((n, h) => n + h.rows, 0)} rows, ${hours.reduce((n, h) => n + h.rejected, 0)} rejected.`);
  }
} catch (err) {
  if (err instanceof TypeError && err.message === "fetch failed") fail("cannot reach the Worker", connectionHint(url, err));
  const hint = / 40[13] /.test(err.message) ? "check the admin token (--token, ADMIN_TOKEN or .dev.vars) and that the Worker has ADMIN_TOKEN set" : undefined;
  fail(err.message, hint);
}
