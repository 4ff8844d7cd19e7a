#!/usr/bin/env node
// npm run ops -- redrive --queue ingest|forward [--url U] [--token T]
// npm run ops -- rebuild --from 2026-11-24T03:00:00Z --to 2026-11-24T06:00:00Z [--url U] [--token T]
// Defaults: the local `npm start` (http://127.0.0.1:8787) and ADMIN_TOKEN from the environment or .dev.vars.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, readDevVars } from "./lib/dev-vars.mjs";
import { rebuild, redrive } from "./lib/ops-client.mjs";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 8787}` },
    token: { type: "string" },
    queue: { type: "string", default: "ingest" },
    from: { type: "string" },
    to: { type: "string" },
  },
});
const devVars = existsSync(join(ROOT, ".dev.vars")) ? readDevVars() : {};
const token = values.token ?? process.env.ADMIN_TOKEN ?? devVars.ADMIN_TOKEN;
const usage = "usage: npm run ops -- redrive --queue ingest|forward | rebuild --from ISO --to ISO   [--url URL] [--token TOKEN]";

try {
  if (!token) throw new Error("no admin token: pass --token, set ADMIN_TOKEN, or add it to .dev.vars");
  if (positionals[0] === "redrive") {
    if (!["ingest", "forward"].includes(values.queue)) throw new Error("--queue must be ingest or forward");
    const total = await redrive({ url: values.url, token, queue: values.queue, onPage: (p) => console.log(`redrove ${p.redriven} message(s) to ${p.queue}`) });
    console.log(`Redrive done: ${total} message(s) sent back to the ${values.queue} queue.`);
  } else if (positionals[0] === "rebuild") {
    if (!values.from || !values.to) throw new Error("rebuild needs --from and --to");
    const hours = await rebuild({
      url: values.url, token, from: values.from, to: values.to,
      onHour: (h) => console.log(`${h.partition}: ${h.state}, ${h.rows} rows in ${h.files.length} file(s) from ${h.rawObjects} raw object(s), replaced ${h.replaced} object(s), ${h.rejected} rejected envelope(s)${h.rejected ? ` (copied to quarantine/rebuild/${h.partition}/)` : ""}${h.reason ? `: ${h.reason}` : ""}`),
    });
    console.log(`Rebuild done: ${hours.length} hour(s), ${hours.reduce((n, h) => n + h.rows, 0)} rows, ${hours.reduce((n, h) => n + h.rejected, 0)} rejected.`);
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exit(1);
}
