// Copies the local R2 bucket (wrangler dev's persisted state) into a folder, keys kept.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { getPlatformProxy } from "wrangler";
import { ROOT } from "./dev-vars.mjs";

/** Uses wrangler's getPlatformProxy on the same persisted state, never miniflare's private files. */
export async function pullLake({ out = join(ROOT, "lake"), persist = join(ROOT, ".wrangler", "state", "v3"), prefix = "" } = {}) {
  const proxy = await getPlatformProxy({ configPath: join(ROOT, "wrangler.toml"), persist: { path: persist } });
  const stats = { listed: 0, copied: 0, skipped: 0, removed: 0, bytes: 0 };
  const keys = new Set();
  try {
    const bucket = proxy.env.LAKE_BUCKET;
    let cursor;
    do {
      const page = await bucket.list({ prefix, cursor, limit: 1000 });
      for (const object of page.objects) {
        stats.listed++;
        keys.add(object.key);
        const target = join(out, object.key);
        // Lake objects are immutable (unique names), so same key and size means already pulled.
        if (statSync(target, { throwIfNoEntry: false })?.size === object.size) {
          stats.skipped++;
          continue;
        }
        const body = await bucket.get(object.key);
        if (!body) continue;
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, new Uint8Array(await body.arrayBuffer()));
        stats.copied++;
        stats.bytes += object.size;
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  } finally {
    await proxy.dispose();
  }
  stats.removed = removeStale(out, prefix, keys);
  return stats;
}

/** Mirrors deletions: a rebuild or compaction replaces objects, so stale local copies go too. */
function removeStale(out, prefix, keys) {
  let removed = 0;
  for (const top of ["locations", "raw", "quarantine", "dead-letter"]) {
    const dir = join(out, top);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true })) {
      const path = join(dir, String(file));
      const key = relative(out, path).split(sep).join("/");
      if (key.startsWith(prefix) && statSync(path).isFile() && !keys.has(key)) {
        rmSync(path);
        removed++;
      }
    }
  }
  return removed;
}
