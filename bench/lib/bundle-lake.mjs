// Bundles the Worker's own normalize + Parquet modules for Node, so the encode benchmark
// runs exactly the code the lake writer runs (V8 in Node, as V8 in workerd).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

export async function loadLakeModules() {
  const outdir = join(ROOT, "bench", "tmp");
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "lake.mjs");
  await build({
    stdin: {
      contents: `export { normalizeEvent } from "../../src/normalize";\nexport { encodeLocationParquet, sortRecords, toColumns, LOCATION_PARQUET_COLUMNS } from "../../src/sinks/lake-parquet";\nexport { hourPartition } from "../../src/lake/keys";`,
      resolveDir: outdir,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    outfile,
    logLevel: "error",
  });
  return import(`${outfile}?t=${Date.now()}`);
}
