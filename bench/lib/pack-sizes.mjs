// Pack sizes under wrangler dev: events per packed queue message at a fleet's rate. Shards are
// independent objects, so a fleet at R events/s with S = guardShards(R) shards packs as one shard
// at R / S: that is the rate driven here at the dev pipeline's single shard, with exponential
// gaps between requests (trucks send independently: open loop, Poisson). Events are the fleet
// simulator's (about 0.9 KB each, as the cost model's bytes per event). The pack size is read
// from the lake writer's own log lines ("lake objects written": rows and the queue messages
// holding them), so it is what really crossed the queue.
//
// In flight is capped: an uncapped open loop at a rate the dev server cannot hold piled up
// thousands of sockets until workerd died with "accept(): Too many open files" (the crash of
// 2026-12-03, reproduced at 1,000/s for 10 s against one shard). At the cap the sender waits, and
// the rate reached says so. A failed request is counted as an error, never a crash.
import { radarSignature } from "../../scripts/lib/simulator.mjs";
import { guardShards } from "./cost.mjs";
import { buildEnvelopes } from "./dataset.mjs";

const LAKE_LINE = /\{"msg":"lake objects written".*\}/;
// wrangler dev's line per consumer batch: "QUEUE milk-forward 3/3 (12ms)" (messages in the batch).
const FORWARD_LINE = /QUEUE milk-forward \d+\/(\d+)/;
const isGeofence = (event) => event.type.includes("geofence");
const MAX_IN_FLIGHT = 256;

const post = (url, token, id, event) =>
  fetch(`${url}/webhooks/radar`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-radar-signing-id": id, "x-radar-signature": radarSignature(token, id) },
    body: JSON.stringify({ event }),
  }).then(
    async (r) => (await r.arrayBuffer(), r.status),
    (err) => `error: ${err.cause?.code ?? err.message}`,
  );

const tally = (statuses, status) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

/** Sends `rate` signed webhooks per second (Poisson) for `seconds`, at most MAX_IN_FLIGHT at once. */
export async function sendAtRate({ url, token, rate, seconds, tag, events }) {
  const total = Math.max(1, Math.round(rate * seconds));
  const statuses = new Map();
  const inflight = new Set();
  let capped = 0;
  let geofence = 0;
  const latencies = [];
  let due = performance.now();
  const start = due;
  for (let i = 0; i < total; i++) {
    due += (-Math.log(1 - Math.random()) * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inflight.size >= MAX_IN_FLIGHT) (capped++, await Promise.race(inflight));
    const id = `pack-${tag}-${process.pid}-${i}`;
    const event = { ...events[i % events.length].event, _id: id, createdAt: new Date().toISOString() };
    const sentAt = performance.now();
    const request = post(url, token, id, event).then((status) => {
      tally(statuses, status);
      latencies.push(performance.now() - sentAt);
      if (status === 202 && isGeofence(event)) geofence++;
      inflight.delete(request);
    });
    inflight.add(request);
  }
  const sentS = (performance.now() - start) / 1000;
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
  return { statuses: Object.fromEntries(statuses), reached_per_s: +(total / sentS).toFixed(1), waited_at_in_flight_cap: capped, geofence_accepted: geofence, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
}

function lakeTotals(lines) {
  let rows = 0;
  let messages = 0;
  let forwardMessages = 0;
  for (const line of lines) {
    forwardMessages += Number(FORWARD_LINE.exec(line)?.[1] ?? 0);
    const match = LAKE_LINE.exec(line);
    if (!match) continue;
    const entry = JSON.parse(match[0]);
    rows += entry.rows;
    messages += entry.messages;
  }
  return { rows, messages, forwardMessages };
}

/**
 * @param {{ url: string, token: string, logLines: string[], rates: number[], seconds: number, drainMs: number }} o
 *   `rates`: fleet rates in events/s; `logLines`: the pipeline's wrangler dev output, appended to as it arrives.
 */
export async function measurePackSizes({ url, token, logLines, rates, seconds, drainMs }) {
  const events = buildEnvelopes(2_000);
  const out = [];
  for (const rate of rates) {
    const shards = guardShards(rate);
    const shardRate = rate / shards;
    const before = lakeTotals(logLines);
    const sent = await sendAtRate({ url, token, rate: shardRate, seconds, tag: rate, events });
    await new Promise((r) => setTimeout(r, drainMs)); // the lake writer's batch timeout
    const after = lakeTotals(logLines);
    const rows = after.rows - before.rows;
    const messages = after.messages - before.messages;
    const forward = after.forwardMessages - before.forwardMessages;
    const perMessage = (n, m) => (m ? +(n / m).toFixed(2) : null);
    out.push({ rate_per_s: rate, shards, shard_rate_per_s: +shardRate.toFixed(1), seconds, ...sent, rows_landed: rows, queue_messages: messages, events_per_message: perMessage(rows, messages), forward_messages: forward, forward_events_per_message: perMessage(sent.geofence_accepted, forward) });
  }
  // After the load: the earliest signing ids, replayed with another body, must still be refused (401).
  const replays = await Promise.all(Array.from({ length: 10 }, (_, i) => post(url, token, `pack-${rates[0]}-${process.pid}-${i}`, { ...events[0].event, _id: `forged-${i}` })));
  out.push({ earliest_replays_with_another_body: replays.length, refused_401: replays.filter((s) => s === 401).length, others: replays.filter((s) => s !== 401) });
  return out;
}
