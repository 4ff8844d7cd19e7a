// Copies the local R2 bucket (wrangler dev's persisted state) into a folder, keys kept.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { getPlatformProxy } from "wrangler";
import { ROOT } from "./dev-vars.mjs";

/**
 * A config with only the lake bucket: the full wrangler.toml makes getPlatformProxy warn about
 * secrets (twice) and start queues the pull does not need.
 */
function writeBucketOnlyConfig() {
  const bucket = readFileSync(join(ROOT, "wrangler.toml"), "utf8").match(/^bucket_name\s*=\s*"([^"]+)"/m)?.[1] ?? "milk-lake";
  const dir = mkdtempSync(join(tmpdir(), "milk-lake-pull-"));
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, `name = "milk-lake-pull"\ncompatibility_date = "2026-04-20"\n\n[[r2_buckets]]\nbinding = "LAKE_BUCKET"\nbucket_name = ${JSON.stringify(bucket)}\n`);
  return { config, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The local lake bucket over wrangler dev's persisted state, through wrangler's getPlatformProxy
 * (never miniflare's private files). Call `dispose` when done.
 */
export async function openLocalBucket(persist) {
  const bucketConfig = writeBucketOnlyConfig();
  const proxy = await getPlatformProxy({ configPath: bucketConfig.config, persist: { path: persist } }).catch((err) => {
    bucketConfig.remove();
    throw err;
  });
  const dispose = async () => {
    try {
      await proxy.dispose();
    } finally {
      bucketConfig.remove();
    }
  };
  return { bucket: proxy.env.LAKE_BUCKET, dispose };
}

/**
 * Runs `pull` with a freshly opened bucket, again with another one if it throws: the proxy reads
 * the state a running `wrangler dev` writes, and two clean-clone CI runs (2026-12-04 23:50 and
 * 12-05 00:03) had such a read fail mid-pull (miniflare's "internal error" and its synchronous
 * proxy's `message?.id === id` assertion). The pull is idempotent; the last error is thrown.
 */
export async function withFreshBucket(open, pull, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    const { bucket, dispose } = await open();
    try {
      return await pull(bucket);
    } catch (err) {
      if (attempt >= attempts) throw err;
    } finally {
      await dispose();
    }
  }
}

export async function pullLake({ out = join(ROOT, "lake"), persist = join(ROOT, ".wrangler", "state", "v3"), prefix = "" } = {}) {
  if (!existsSync(persist)) throw new Error(`no local lake at ${persist}; run \`npm start\` and \`npm run simulate\` first`);
  return withFreshBucket(() => openLocalBucket(persist), (bucket) => pullFrom(bucket, out, prefix));
}

/** One pass over the bucket: copies what is new or changed, then removes local copies of deleted keys. */
async function pullFrom(bucket, out, prefix) {
  const stats = { listed: 0, copied: 0, skipped: 0, removed: 0, bytes: 0 };
  const keys = new Set();
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
