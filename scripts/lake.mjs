#!/usr/bin/env node
// npm run lake -- pull [--out lake] [--persist .wrangler/state/v3]
// npm run lake -- query "SQL" [--lake lake]
// npm run analytics [-- --lake lake]       (pulls the local bucket, then runs analytics/*.sql)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./lib/dev-vars.mjs";
import { formatTable, openLake, queryTable } from "./lib/lake-duckdb.mjs";
import { pullLake } from "./lib/lake-pull.mjs";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: "string", default: join(ROOT, "lake") },
    lake: { type: "string", default: join(ROOT, "lake") },
    persist: { type: "string", default: join(ROOT, ".wrangler", "state", "v3") },
  },
});
const [command, sql] = positionals;

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

try {
  if (command === "pull") {
    const stats = await pullLake({ out: values.out, persist: values.persist });
    console.log(`Pulled ${stats.copied} new objects (${stats.bytes} bytes), ${stats.skipped} already present, ${stats.removed} removed (replaced by a rebuild), into ${values.out}`);
  } else if (command === "query" && sql) {
    const { db, close } = await openLake(values.lake);
    console.log(formatTable(await queryTable(db, sql)));
    close();
  } else if (command === "analytics") {
    // Refresh the local copy first, so `npm run analytics` right after a simulation sees it.
    if (existsSync(values.persist) && values.lake === values.out) {
      const stats = await pullLake({ out: values.out, persist: values.persist });
      console.log(`Pulled ${stats.copied} new objects from the local bucket into ${values.out}`);
    }
    await runAnalytics(values.lake);
  } else {
    console.error('usage: npm run lake -- pull [--out DIR] | npm run lake -- query "SQL" [--lake DIR] | npm run analytics');
    process.exit(2);
  }
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exit(1);
}
