#!/usr/bin/env node
// npm run lake -- pull|query, npm run analytics: the local lake through DuckDB.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fail, parseCli, usageError } from "./lib/cli.mjs";
import { ROOT } from "./lib/dev-vars.mjs";
import { formatTable, openLake, queryTable } from "./lib/lake-duckdb.mjs";
import { pullLake } from "./lib/lake-pull.mjs";

const { positionals, values } = parseCli({
  help: `
usage: npm run lake -- pull [--out DIR] [--persist DIR]
       npm run lake -- query "SQL" [--lake DIR] [--all-files]
       npm run analytics [-- --lake DIR]

pull       copies the local R2 bucket (npm start's .wrangler/state) into DIR, mirroring deletions
query      runs DuckDB SQL over DIR; views milk_events (deduplicated) and milk_events_raw, over
           exactly the Iceberg table's current snapshot (what Snowflake reads) once DIR holds it
analytics  pulls, then runs every analytics/*.sql

options:
  --out DIR       pull target (default ./lake)
  --lake DIR      lake folder to query (default ./lake)
  --persist DIR   wrangler dev state (default ./.wrangler/state/v3)
  --all-files     query every Parquet object under locations/ instead of the table's snapshot

example:
  npm run lake -- query "SELECT event_type, count(*) FROM milk_events GROUP BY 1"`,
  allowPositionals: true,
  options: {
    out: { type: "string", default: join(ROOT, "lake") },
    lake: { type: "string", default: join(ROOT, "lake") },
    persist: { type: "string", default: join(ROOT, ".wrangler", "state", "v3") },
    "all-files": { type: "boolean", default: false },
  },
});
const [command, sql, ...extra] = positionals;
if (!["pull", "query", "analytics"].includes(command)) usageError(command ? `unknown command "${command}"` : "a command is needed: pull, query or analytics");
if (command === "query" && !sql?.trim()) usageError('query needs SQL, e.g. npm run lake -- query "SELECT count(*) FROM milk_events"');
if ((command !== "query" && sql !== undefined) || extra.length) usageError(`unexpected argument "${command === "query" ? extra[0] : sql}"`);

function hasParquet(lake) {
  return existsSync(join(lake, "locations")) && readdirSync(join(lake, "locations"), { recursive: true }).some((f) => String(f).endsWith(".parquet"));
}

async function runAnalytics(lake) {
  const dir = join(ROOT, "analytics");
  const { db, close } = await openLake(lake);
  try {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
      const text = readFileSync(join(dir, file), "utf8");
      const title = text.match(/^--\s*(.+)$/m)?.[1] ?? file;
      console.log(`\n== ${file}: ${title}`);
      console.log(formatTable(await queryTable(db, text)));
    }
  } finally {
    close();
  }
}

async function pull() {
  const stats = await pullLake({ out: values.out, persist: values.persist });
  console.log(`Pulled ${stats.copied} new objects (${stats.bytes} bytes), ${stats.skipped} already present, ${stats.removed} removed (replaced by a rebuild), into ${values.out}`);
}

try {
  if (command === "pull") await pull();
  else if (command === "analytics" && values.lake === values.out) await pull(); // right after a simulation, see it
  const lake = values.lake;
  if (command !== "pull" && !hasParquet(lake)) {
    fail(`no Parquet files under ${join(lake, "locations")}`, command === "analytics" ? "the local bucket is empty: run `npm start`, then `npm run simulate`, then this again" : "run `npm run lake -- pull` first (after `npm start` and `npm run simulate`)");
  }
  if (command === "query") {
    const { db, source, close } = await openLake(lake, { allFiles: values["all-files"] });
    try {
      console.error(`reading ${source}`);
      console.log(formatTable(await queryTable(db, sql)));
    } finally {
      close();
    }
  } else if (command === "analytics") await runAnalytics(lake);
} catch (err) {
  fail(err.message, /Parser Error|Catalog Error|Binder Error/.test(err.message) ? "check the SQL; the views are milk_events and milk_events_raw" : undefined);
}
