// Pack sizes under wrangler dev: events per packed queue message at a steady open-loop rate. A
// guard shard sends at once when idle and packs what arrives during a send, so the pack size is
// about rate × send latency per shard; it is read from the lake writer's own log lines ("lake
// objects written": rows and the queue messages holding them), so it is what really crossed the queue.
import { radarSignature } from "../../scripts/lib/simulator.mjs";

const LAKE_LINE = /\{"msg":"lake objects written".*\}/;

const post = (url, token, id, eventId) =>
  fetch(`${url}/webhooks/radar`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-radar-signing-id": id, "x-radar-signature": radarSignature(token, id) },
    body: JSON.stringify({ event: { _id: eventId, type: "user.updated_trip", createdAt: new Date().toISOString(), user: { _id: "driver-1" } } }),
  });

/** Sends `rate` signed single-event webhooks per second for `seconds`; returns statuses and the rate reached. */
async function sendSteady(url, token, rate, seconds, tag) {
  const total = Math.max(1, Math.round(rate * seconds));
  const statuses = new Map();
  const inflight = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `pack-${tag}-${process.pid}-${i}`;
    const request = post(url, token, id, id).then((r) => statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1), () => statuses.set("error", (statuses.get("error") ?? 0) + 1));
    inflight.push(request);
  }
  const sentS = (performance.now() - start) / 1000;
  await Promise.all(inflight);
  return { statuses: Object.fromEntries(statuses), reached_per_s: +(total / sentS).toFixed(1) };
}

function lakeTotals(lines) {
  let rows = 0;
  let messages = 0;
  for (const line of lines) {
    const match = LAKE_LINE.exec(line);
    if (!match) continue;
    const entry = JSON.parse(match[0]);
    rows += entry.rows;
    messages += entry.messages;
  }
  return { rows, messages };
}

/**
 * @param {{ url: string, token: string, logLines: string[], rates: number[], seconds: number, drainMs: number }} o
 *   `logLines`: the pipeline's wrangler dev output, appended to as it arrives.
 */
export async function measurePackSizes({ url, token, logLines, rates, seconds, drainMs }) {
  const out = [];
  for (const rate of rates) {
    const before = lakeTotals(logLines);
    const sent = await sendSteady(url, token, rate, seconds, rate);
    await new Promise((r) => setTimeout(r, drainMs)); // the lake writer's batch timeout
    const after = lakeTotals(logLines);
    const rows = after.rows - before.rows;
    const messages = after.messages - before.messages;
    out.push({ rate_per_s: rate, seconds, ...sent, rows_landed: rows, queue_messages: messages, events_per_message: messages ? +(rows / messages).toFixed(2) : null });
  }
  // After the load: the earliest signing ids, replayed with another body, must still be refused (401).
  const replays = await Promise.all(Array.from({ length: 10 }, (_, i) => post(url, token, `pack-${rates[0]}-${process.pid}-${i}`, `forged-${i}`).then((r) => r.status)));
  out.push({ earliest_replays_with_another_body: replays.length, refused_401: replays.filter((s) => s === 401).length });
  return out;
}
