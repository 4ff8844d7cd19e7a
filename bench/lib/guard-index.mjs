// The guard's in-memory index at its bound, in a fresh child Node (V8, as in workerd): bytes per key,
// the wake-up rebuild from the ids column (CPU only; SQLite reads not included) and one lookup's cost.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

const CHILD = `
const mod = await import(process.argv[2]);
const KEYS = Number(process.argv[3]), PER_MIN = Math.ceil(KEYS / 1440);
const hex = () => ((Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, "0");
const columns = Array.from({ length: 1440 }, () => Array.from({ length: PER_MIN }, hex).join(""));
global.gc(); const before = process.memoryUsage();
const index = new mod.MinuteIndex(KEYS + PER_MIN);
const t0 = performance.now();
columns.forEach((ids, m) => index.addPacked(ids, 1e6 + m, 8));
index.add("0".repeat(32), 1e6 + 1440);
const rebuildMs = performance.now() - t0;
global.gc(); const after = process.memoryUsage(); // the columns are alive in both readings
const t1 = performance.now();
for (let i = 0; i < 5000; i++) index.minutesOf(hex() + "0".repeat(24), 1e6 + 1440);
const bytes = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
console.log(JSON.stringify({ keys: index.size, index_mb: +(bytes / 1e6).toFixed(1), bytes_per_key: +(bytes / index.size).toFixed(2), rebuild_cpu_ms: Math.round(rebuildMs), lookup_us: +(((performance.now() - t1) / 5000) * 1000).toFixed(1) }));
`;

/** @param {{ keys: number }} o */
export async function measureGuardIndex({ keys }) {
  const outdir = join(ROOT, "bench", "tmp");
  mkdirSync(outdir, { recursive: true });
  const bundle = join(outdir, "guard-index.mjs");
  await build({ entryPoints: [join(ROOT, "src", "guard", "guard-index.ts")], bundle: true, format: "esm", platform: "neutral", outfile: bundle, logLevel: "error" });
  const child = join(outdir, "guard-index-child.mjs");
  writeFileSync(child, CHILD);
  return JSON.parse(execFileSync(process.execPath, ["--expose-gc", child, bundle, String(keys)], { encoding: "utf8" }));
}
