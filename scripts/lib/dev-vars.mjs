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
 * Why RADAR_WEBHOOK_TOKEN cannot be used, or null. The rule is the Worker's own
 * (`parseTokenList` in src/edge/signature.ts, bundled here by esbuild), so `npm start` refuses
 * exactly the shapes the deployed Worker refuses: unset, an empty entry, more than two tokens.
 */
export async function webhookTokenProblem(value) {
  const parsed = (await loadWorkerModule("src/edge/signature.ts")).parseTokenList(value);
  return "error" in parsed ? `${parsed.error} (.dev.vars: one token, or current,next during a rotation)` : null;
}

async function loadWorkerModule(path) {
  const { buildSync } = await import("esbuild");
  const out = buildSync({ entryPoints: [join(ROOT, path)], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "error" });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].contents).toString("base64")}`);
}
