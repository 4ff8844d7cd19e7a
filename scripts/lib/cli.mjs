// Shared command-line behaviour: --help, argument errors without stack traces, exit codes.
// Exit codes: 0 success, 1 the work failed, 2 bad usage.
import { parseArgs } from "node:util";

/**
 * Parses argv; prints `help` and exits 0 on --help/-h; on an unknown or malformed option prints
 * the problem and a hint and exits 2.
 * @param {{ help: string, options?: object, allowPositionals?: boolean, args?: string[] }} spec
 */
export function parseCli({ help, options = {}, allowPositionals = false, args = process.argv.slice(2) }) {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(help.trim());
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    usageError(err.message.split("\n")[0]);
  }
}

/** Bad usage: the problem, where to look, exit 2. */
export function usageError(message) {
  console.error(`error: ${message}\nRun with --help for usage.`);
  process.exit(2);
}

/** The work failed: the problem and what to do about it, exit 1. */
export function fail(message, hint) {
  console.error(`error: ${message}${hint ? `\nhint: ${hint}` : ""}`);
  process.exit(1);
}

/** A whole number in [min, max], or a usage error naming the option. */
export function intOption(values, name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const text = values[name];
  if (!/^\d+$/.test(String(text)) || Number(text) < min || Number(text) > max) usageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return Number(text);
}

/** A number in [min, max] (decimals allowed), or a usage error naming the option. */
export function numberOption(values, name, { min = 0, max = Number.MAX_VALUE } = {}) {
  const text = values[name];
  const n = Number(text);
  if (text === "" || !Number.isFinite(n) || n < min || n > max) usageError(`--${name} must be a number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** An http(s) URL without a trailing slash, or a usage error. */
export function urlOption(values, name = "url") {
  try {
    const url = new URL(values[name]);
    if (!/^https?:$/.test(url.protocol)) throw new Error("not http");
    return values[name].replace(/\/+$/, "");
  } catch {
    usageError(`--${name} must be an http(s) URL, got "${values[name]}"`);
  }
}

/** Why a fetch to `url` failed, with what to run. */
export function connectionHint(url, err) {
  const code = err?.cause?.code ?? err?.code;
  if (code === "ECONNREFUSED") return `nothing is listening at ${url}; is \`npm start\` running (or pass --url)?`;
  if (code === "ENOTFOUND") return `the host of ${url} does not resolve; check --url`;
  return `could not reach ${url} (${code ?? err?.cause?.message ?? err?.message}); is \`npm start\` running (or pass --url)?`;
}
