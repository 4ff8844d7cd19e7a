// The benchmark's data: the fleet simulator's events with a fixed seed, as queue envelopes.
import { generateFleet } from "../../scripts/lib/fleet.mjs";

const START_MS = Date.parse("2026-03-05T04:00:00.000Z");

/** At least `rows` envelopes from a deterministic fleet (duplicates excluded), in send order. */
export function buildEnvelopes(rows, seed = 20260305) {
  let drivers = Math.max(4, Math.ceil(rows / 250));
  let events = [];
  for (;;) {
    events = generateFleet({ drivers, minutes: 360, seed, startMs: START_MS, replayRate: 0.02, duplicateRate: 0 });
    if (events.length >= rows) break;
    drivers = Math.ceil(drivers * 1.5);
  }
  return events.slice(0, rows).map((item, i) => ({
    v: 1,
    id: item.body.event._id,
    receivedAt: new Date(item.atMs + 800).toISOString(),
    requestId: `bench-${Math.floor(i / 3)}`,
    source: "radar",
    event: item.body.event,
  }));
}
