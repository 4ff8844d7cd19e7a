// Table commit cost against the table's size (issue 19): for each N, a child process capped at
// 128 MB of heap builds a table of N live files with the Worker's own src/lake/table/ code on a
// disk-backed bucket and times one append and one compaction overwrite (table-scale-child.mjs).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "../../scripts/lib/dev-vars.mjs";

async function bundleTable() {
  const outfile = join(ROOT, "bench", "tmp", "table-scale.mjs");
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    stdin: {
      contents: [
        `export { applyTableUpdates, findSnapshot, listLiveDataFiles, newTableMetadata } from "../../src/lake/table/format";`,
        `export { readManifestList } from "../../src/lake/table/format/manifests";`,
        `export { commitPending } from "../../src/lake/table/commit/commit-change";`,
        `export { hourPartition, partitionEndMs } from "../../src/lake/keys";`,
      ].join("\n"),
      resolveDir: dirname(outfile),
      loader: "ts",
    },
    bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], outfile, logLevel: "error",
  });
  return outfile;
}

export async function measureTableScale({ sizes }) {
  const bundle = await bundleTable();
  const runs = [];
  for (const files of sizes) {
    console.log(`  table of ${files} live files…`);
    const dir = mkdtempSync(join(tmpdir(), "milk-table-scale-"));
    try {
      const out = execFileSync(process.execPath, ["--max-old-space-size=128", "--expose-gc", join(ROOT, "bench/lib/table-scale-child.mjs"), bundle, dir, String(files)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      runs.push(JSON.parse(out.trim().split("\n").at(-1)));
      console.log(`  ${JSON.stringify(runs.at(-1))}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
}
