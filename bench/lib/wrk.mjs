// Closed-loop load with wrk (a C load generator: it leaves the 2 cores to the servers, where a
// Node load generator takes CPU from them and flatters the ratio toward 1). Each request is
// signed in advance with a fresh signing id and event id, written into a Lua script wrk cycles
// through, one stride per thread so no two threads send the same request. Requests are formatted
// at load, before wrk knows the host, so each carries its own Host header.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";
import { radarSignature } from "../../scripts/lib/simulator.mjs";

export const SAMPLE_EVENT = JSON.parse(readFileSync(join(ROOT, "bench", "sample-event.json"), "utf8"));

/** The bench's webhook body: one event with id `eventId`, created now; `event` defaults to the sample. */
export const radarBody = (eventId, event = SAMPLE_EVENT) => JSON.stringify({ event: { _id: eventId, createdAt: new Date().toISOString(), ...event } });
const lua = (s) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal here (ASCII, no \u escapes)

/** wrk on PATH, or installed with apt-get when allowed; otherwise a clear explanation. */
export function ensureWrk() {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (err) {
    if (err.code !== "ENOENT" && err.status !== 1) throw err;
    if (err.status === 1) return; // wrk --version exits 1 after printing its version
    try {
      execFileSync("apt-get", ["install", "-y", "wrk"], { stdio: "inherit" });
    } catch {
      throw new Error("wrk (C HTTP load generator) is not installed: run `sudo apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk`, then rerun the bench");
    }
  }
}

function signedRequests(token, count, host, path, tag) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const id = `wrk-${tag}-${process.pid}-${i}`;
    const body = radarBody(id);
    const headers = `{["Host"]=${lua(host)},["Content-Type"]="application/json",["X-Radar-Signing-Id"]=${lua(id)},["X-Radar-Signature"]=${lua(radarSignature(token, id))}}`;
    out.push(`r[${i + 1}]=wrk.format("POST",${lua(path)},${headers},${lua(body)})`);
  }
  return out;
}

function luaScript(requests) {
  return `local r = {}
${requests.join("\n")}
local threads, k = 0, 0
function setup(thread) threads = threads + 1; thread:set("first", threads) end
function init(args) k = first end
function request() local q = r[k]; k = k + 2; if k > #r then k = first end; return q end
`;
}

function parseWrk(text) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const errors = /Socket errors:.*?connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const latency = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(text);
    if (!m) return null;
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  return { rps, non2xx, errors: errors ? errors.slice(1).reduce((n, e) => n + Number(e), 0) : 0, p50_ms: latency(50), p99_ms: latency(99) };
}

/**
 * One wrk run of `seconds` at `connections` (2 threads) against url+path with pre-signed requests.
 * @returns {Promise<{ rps: number, non2xx: number, errors: number, p50_ms: number|null, p99_ms: number|null }>}
 */
export async function runWrk({ url, path, token, seconds, connections, tag = "run", expectedRps = 2000 }) {
  const dir = mkdtempSync(join(tmpdir(), "milk-wrk-"));
  try {
    const script = join(dir, "requests.lua");
    writeFileSync(script, luaScript(signedRequests(token, Math.max(200, Math.ceil(expectedRps * seconds * 1.5)), new URL(url).host, path, tag)));
    const child = spawn("wrk", ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (c) => (text += c));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    if (code !== 0) throw new Error(`wrk exited ${code}: ${text.slice(0, 500)}`);
    return parseWrk(text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
