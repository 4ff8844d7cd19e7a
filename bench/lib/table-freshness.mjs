// Freshness to the table: when each event's Parquet object became live in the Iceberg table's
// current snapshot (the committer on milk-table, object-store catalog in the local bucket).
import { liveDataKeys } from "../../scripts/lib/lake-table.mjs";
import { openLocalBucket } from "../../scripts/lib/lake-pull.mjs";

const METADATA = "tables/milk/locations/metadata/";

/**
 * Polls for new table versions until every key in `idsByKey` is live; an id's time is the R2
 * upload time of the first metadata version whose snapshot holds its object (the commit).
 */
export async function committedTimes(persist, idsByKey, timeoutMs) {
  const { bucket, dispose } = await openLocalBucket(persist);
  const get = async (key) => {
    const object = await bucket.get(key);
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  };
  const committed = new Map();
  const pending = new Set(idsByKey.keys());
  const deadline = Date.now() + timeoutMs;
  let version = 0;
  try {
    while (pending.size && Date.now() < deadline) {
      const next = await bucket.get(`${METADATA}v${version + 1}.metadata.json`);
      if (!next) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      version += 1;
      const at = next.uploaded.getTime();
      for (const key of await liveDataKeys(JSON.parse(await next.text()), get)) {
        if (!pending.delete(key)) continue;
        for (const id of idsByKey.get(key)) committed.set(id, at);
      }
    }
  } finally {
    await dispose();
  }
  return committed;
}
