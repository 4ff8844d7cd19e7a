// Copies the local R2 bucket (wrangler dev's persisted state) into a folder, keys kept.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { ROOT } from "./dev-vars.mjs";

/** Uses wrangler's getPlatformProxy on the same persisted state, never miniflare's private files. */
export async function pullLake({ out = join(ROOT, "lake"), persist = join(ROOT, ".wrangler", "state", "v3"), prefix = "" } = {}) {
  const proxy = await getPlatformProxy({ configPath: join(ROOT, "wrangler.toml"), persist: { path: persist } });
  const stats = { listed: 0, copied: 0, skipped: 0, bytes: 0 };
  try {
    const bucket = proxy.env.LAKE_BUCKET;
    let cursor;
    do {
      const page = await bucket.list({ prefix, cursor, limit: 1000 });
      for (const object of page.objects) {
        stats.listed++;
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
  return stats;
}
