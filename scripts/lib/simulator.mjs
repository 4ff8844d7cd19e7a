// Sends a generated fleet to the webhook, signed as Radar signs, paced by --speedup.
import { createHmac, randomUUID } from "node:crypto";
import { generateFleet } from "./fleet.mjs";

export function radarSignature(token, signingId) {
  return createHmac("sha1", token).update(signingId).digest("hex");
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function postOne(url, token, body) {
  const signingId = randomUUID();
  const started = performance.now();
  try {
    const response = await fetch(`${url}/webhooks/radar`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Radar-Signing-Id": signingId, "X-Radar-Signature": radarSignature(token, signingId) },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    return { status: response.status, ids: json?.ids ?? [], ms: performance.now() - started };
  } catch (err) {
    return { status: 0, ids: [], ms: performance.now() - started, error: err.message };
  }
}

/**
 * Generates and sends the fleet. speedup = simulated seconds per real second (0 = as fast as possible).
 * Returns counts, latencies, and the ids the service accepted.
 */
export async function runSimulation({ url, token, drivers, minutes, speedup = 60, seed = 42, concurrency = 16, replayRate = 0.02, duplicateRate = 0.01, onProgress = () => {} }) {
  const startMs = Date.now() - minutes * 60_000;
  const events = generateFleet({ drivers, minutes, seed, startMs, replayRate, duplicateRate });
  const result = { sent: 0, accepted: 0, refused: 0, failed: 0, statuses: {}, latencies: [], acceptedIds: new Set(), geofenceIds: new Set(), sentIds: new Set() };
  const realStart = performance.now();
  const firstAt = events[0]?.atMs ?? startMs;
  let next = 0;
  async function worker() {
    while (next < events.length) {
      const item = events[next++];
      if (speedup > 0) {
        const dueMs = (item.atMs - firstAt) / speedup - (performance.now() - realStart);
        if (dueMs > 0) await new Promise((r) => setTimeout(r, dueMs));
      }
      const outcome = await postOne(url, token, item.body);
      result.sent++;
      result.statuses[outcome.status] = (result.statuses[outcome.status] ?? 0) + 1;
      result.latencies.push(outcome.ms);
      result.sentIds.add(item.body.event._id);
      if (outcome.status === 202) {
        result.accepted++;
        for (const id of outcome.ids) result.acceptedIds.add(id);
        if (item.body.event.type.includes("geofence")) result.geofenceIds.add(item.body.event._id);
      } else if (outcome.status >= 400 && outcome.status < 500) result.refused++;
      else result.failed++;
      onProgress(result.sent, events.length);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return { ...result, total: events.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), seconds: (performance.now() - realStart) / 1000 };
}
