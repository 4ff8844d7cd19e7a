// Freshness: from the 202 to the event being inside an R2 object, and to its object being live in
// the Iceberg table's current snapshot, at a steady rate, with the queue settings from wrangler.toml.
import { openLocalBucket } from "../../scripts/lib/lake-pull.mjs";
import { radarSignature } from "../../scripts/lib/simulator.mjs";
import { committedTimes } from "./table-freshness.mjs";

async function sendSteady(url, token, rate, seconds) {
  const accepted = new Map();
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `fresh-${process.pid}-${i}`;
    const signingId = `fresh-${i}`;
    inflight.push(
      fetch(`${url}/webhooks/radar`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-radar-signing-id": signingId, "x-radar-signature": radarSignature(token, signingId) },
        body: JSON.stringify({ event: { _id: id, type: "user.updated_trip", createdAt: new Date().toISOString(), user: { _id: `driver-${i % 50}` } } }),
      }).then((r) => r.status === 202 && accepted.set(id, Date.now())),
    );
  }
  await Promise.all(inflight);
  return accepted;
}

/** Reads raw/ archives (ids inside, R2 `uploaded` time) until every accepted id is found; also each id's Parquet twin. */
async function landedTimes(persist, ids, timeoutMs) {
  const { bucket, dispose } = await openLocalBucket(persist);
  const landed = new Map();
  const idsByParquet = new Map();
  const seenKeys = new Set();
  const deadline = Date.now() + timeoutMs;
  try {
    while (landed.size < ids.size && Date.now() < deadline) {
      let cursor;
      do {
        const page = await bucket.list({ prefix: "raw/", cursor });
        for (const object of page.objects) {
          if (seenKeys.has(object.key)) continue;
          seenKeys.add(object.key);
          const body = await bucket.get(object.key);
          const text = await new Response(body.body.pipeThrough(new DecompressionStream("gzip"))).text();
          for (const line of text.trim().split("\n")) {
            const id = JSON.parse(line).id;
            if (!ids.has(id) || landed.has(id)) continue;
            landed.set(id, object.uploaded.getTime());
            const parquet = object.key.replace(/^raw\//, "locations/").replace(/\.ndjson\.gz$/, ".parquet");
            idsByParquet.set(parquet, [...(idsByParquet.get(parquet) ?? []), id]);
          }
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      if (landed.size < ids.size) await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await dispose();
  }
  return { landed, idsByParquet };
}

/** p50 and p99 of the lags from `from` (id → ms) to `to` (id → ms), for ids in both. */
function percentiles(from, to) {
  const lags = [...from].filter(([id]) => to.has(id)).map(([id, at]) => Math.max(0, to.get(id) - at)).sort((a, b) => a - b);
  const pct = (p) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? null;
  return { p50: pct(50), p99: pct(99) };
}

export async function measureFreshness({ url, token, persist, rate, seconds, batchTimeoutS, tableIntervalS }) {
  const accepted = await sendSteady(url, token, rate, seconds);
  const { landed, idsByParquet } = await landedTimes(persist, accepted, 60_000 + batchTimeoutS * 1000);
  const lake = percentiles(accepted, landed);
  const committed = await committedTimes(persist, idsByParquet, 120_000 + tableIntervalS * 1000);
  const table = percentiles(accepted, committed);
  return {
    p50_ms: lake.p50, p99_ms: lake.p99, rate_per_s: rate, batch_timeout_s: batchTimeoutS, accepted: accepted.size, landed: landed.size,
    table_p50_ms: table.p50, table_p99_ms: table.p99, table_interval_s: tableIntervalS, table_committed: committed.size,
  };
}
