import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
/** The local secrets file; DEV_VARS_FILE points elsewhere (tests use their own). */
export const DEV_VARS_PATH = process.env.DEV_VARS_FILE || join(ROOT, ".dev.vars");

/** Creates .dev.vars from the committed example on a fresh clone; never overwrites. */
export function ensureDevVars() {
  const target = DEV_VARS_PATH;
  if (!existsSync(target)) {
    copyFileSync(join(ROOT, ".dev.vars.example"), target);
    return { created: true, path: target };
  }
  return { created: false, path: target };
}

/** Parses KEY=VALUE lines (comments and blanks ignored). */
export function readDevVars(path = DEV_VARS_PATH) {
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (match) vars[match[1]] = match[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

/**
 * Why RADAR_WEBHOOK_TOKEN cannot be used, or null: it must hold one token, or two during a
 * rotation (comma-separated), none of them empty. The Worker refuses the same shapes.
 */
export function webhookTokenProblem(value) {
  if (value === undefined || value.trim() === "") return "RADAR_WEBHOOK_TOKEN is missing or empty in .dev.vars";
  const tokens = value.split(",").map((t) => t.trim());
  if (tokens.some((t) => t === "")) return "RADAR_WEBHOOK_TOKEN in .dev.vars has an empty entry (check for a stray comma)";
  if (tokens.length > 2) return `RADAR_WEBHOOK_TOKEN in .dev.vars has ${tokens.length} tokens; at most two (current,next) during a rotation`;
  return null;
}
