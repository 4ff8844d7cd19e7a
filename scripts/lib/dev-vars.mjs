import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;

/** Creates .dev.vars from the committed example on a fresh clone; never overwrites. */
export function ensureDevVars() {
  const target = join(ROOT, ".dev.vars");
  if (!existsSync(target)) {
    copyFileSync(join(ROOT, ".dev.vars.example"), target);
    return { created: true, path: target };
  }
  return { created: false, path: target };
}

/** Parses KEY=VALUE lines (comments and blanks ignored). */
export function readDevVars(path = join(ROOT, ".dev.vars")) {
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (match) vars[match[1]] = match[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}
