// wrangler.toml for a bench Worker under wrangler dev: its name, its entry in bench/, the Workers'
// compatibility date, and a SQLite-backed Durable Object class, then the caller's own tables.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

/** @param {string} dir @param {{ name: string, main: string, object: { binding: string, className: string }, rest?: string }} o */
export function writeBenchConfig(dir, { name, main, object, rest = "" }) {
  const path = join(dir, "wrangler.toml");
  writeFileSync(
    path,
    `name = ${JSON.stringify(name)}
main = ${JSON.stringify(join(ROOT, "bench", main))}
compatibility_date = "2026-04-20"
[vars]
SIGNING_GUARD_COALESCE_MS = "1000"
[[durable_objects.bindings]]
name = ${JSON.stringify(object.binding)}
class_name = ${JSON.stringify(object.className)}
[[migrations]]
tag = "v1"
new_sqlite_classes = [${JSON.stringify(object.className)}]
${rest}`,
  );
  return path;
}
