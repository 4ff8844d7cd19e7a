// Deterministic milk-route generator: drivers haul from farms to plants in California's
// Central Valley, producing Radar-shaped events. Same seed, same fleet, same events.

import { createRandom, objectIdFactory } from "./random.mjs";

const FARMS = [
  ["farm-1183", "Dairy 1183 - tank pad", -119.43402, 36.2276],
  ["farm-1207", "Dairy 1207 - north barn", -119.5224, 36.31905],
  ["farm-1311", "Dairy 1311 - milk house", -119.2871, 36.0652],
  ["farm-1420", "Dairy 1420 - east pad", -119.1902, 36.1844],
  ["farm-1533", "Dairy 1533 - tank pad", -119.6471, 36.1122],
  ["farm-1612", "Dairy 1612 - south lot", -119.3517, 35.9761],
  ["farm-1708", "Dairy 1708 - tank pad", -119.7735, 36.2543],
  ["farm-1825", "Dairy 1825 - west barn", -119.0928, 36.0217],
  ["farm-1940", "Dairy 1940 - tank pad", -119.5902, 35.9338],
  ["farm-2051", "Dairy 2051 - milk house", -119.2205, 36.3391],
];
const PLANTS = [
  ["plant-tulare", "Tulare processing plant", -119.3473, 36.2077],
  ["plant-hanford", "Hanford cheese plant", -119.6457, 36.3275],
  ["plant-visalia", "Visalia receiving plant", -119.2921, 36.3302],
];

const KM_PER_DEG_LAT = 111.0;
const kmPerDegLon = (lat) => 111.32 * Math.cos((lat * Math.PI) / 180);

/** Road-like legs: along a section-line grid, east-west first, then north-south. */
function legsBetween(from, to) {
  const corner = [to[0], from[1]];
  return [[from, corner], [corner, to]].filter(([a, b]) => a[0] !== b[0] || a[1] !== b[1]);
}

function legLengthKm([a, b]) {
  const dLat = (b[1] - a[1]) * KM_PER_DEG_LAT;
  const dLon = (b[0] - a[0]) * kmPerDegLon((a[1] + b[1]) / 2);
  return Math.hypot(dLat, dLon);
}

function geofenceOf([externalId, description, lon, lat], tag, rnd) {
  return { _id: rnd.hex(24), tag, externalId, description, type: "circle", geometryCenter: { type: "Point", coordinates: [lon, lat] }, geometryRadius: 100 };
}

/** Plans one driver's trip: from a yard a few km out, to 2–3 farms, then a plant. */
function planRoute(rnd) {
  const farms = [...FARMS].sort(() => rnd.next() - 0.5).slice(0, rnd.int(2, 3));
  const first = farms[0];
  const start = ["yard", "yard", first[2] + rnd.between(-0.06, 0.06), first[3] + rnd.between(-0.04, 0.04)];
  return { stops: [...farms.map((f) => ({ site: f, tag: "farm" })), { site: rnd.pick(PLANTS), tag: "plant" }], start };
}

function makeDriver(index, rnd) {
  return {
    _id: rnd.hex(24),
    userId: `drv-${String(4400 + index)}`,
    deviceId: `${rnd.hex(8)}-${rnd.hex(4)}-4${rnd.hex(3)}-8${rnd.hex(3)}-${rnd.hex(12)}`.toUpperCase(),
    MMUserId: rnd.hex(24),
  };
}

/**
 * Generates every event of the fleet between startMs and startMs + minutes.
 * Returns { events: [{ atMs, body }] } sorted by send time.
 */
export function generateFleet({ drivers, minutes, seed = 42, startMs, replayRate = 0.02, duplicateRate = 0.01 }) {
  const rnd = createRandom(seed);
  rnd.objectId = objectIdFactory(rnd);
  const endMs = startMs + minutes * 60_000;
  const out = [];
  for (let d = 0; d < drivers; d++) {
    const driver = makeDriver(d, rnd);
    const sessionId = rnd.hex(24);
    const trip = { _id: rnd.hex(24), externalId: `route-${sessionId.slice(0, 8)}`, MMUserId: driver.MMUserId, metadata: { route_session_type: "RawMilk", route_session_id: sessionId } };
    driveRoute({ rnd, driver, trip, plan: planRoute(rnd), clock: startMs + rnd.between(0, 120_000), endMs, out });
  }
  addLateAndDuplicates(out, rnd, replayRate, duplicateRate, endMs);
  return out.sort((a, b) => a.atMs - b.atMs);
}

function eventBody(rnd, driver, trip, type, atMs, point, extra = {}) {
  const iso = new Date(atMs).toISOString();
  const serverMs = atMs + rnd.int(150, 900);
  const location = point ? { type: "Point", coordinates: [Number(point[0].toFixed(6)), Number(point[1].toFixed(6))] } : undefined;
  const event = {
    _id: rnd.objectId(serverMs), type, createdAt: iso, actualCreatedAt: new Date(serverMs).toISOString(), live: true,
    ...(location && { location, locationAccuracy: Number(rnd.between(4, 30).toFixed(1)), confidence: rnd.int(2, 3) }),
    foreground: false, replayed: false,
    user: { ...driver, trip: { ...trip, status: "started", createdAt: trip.createdAt, updatedAt: iso, startedAt: trip.createdAt } },
    ...extra,
  };
  return { event };
}

function driveRoute({ rnd, driver, trip, plan, clock, endMs, out }) {
  trip.createdAt = new Date(clock).toISOString();
  // The seed's data has a trip start without coordinates; keep that shape.
  out.push({ atMs: clock, body: eventBody(rnd, driver, trip, "user.started_trip", clock, null) });
  let here = [plan.start[2], plan.start[3]];
  for (const stop of plan.stops) {
    const target = [stop.site[2], stop.site[3]];
    for (const leg of legsBetween(here, target)) {
      const speedKmPerMin = rnd.between(0.9, 1.4);
      const steps = Math.max(1, Math.ceil(legLengthKm(leg) / speedKmPerMin / 0.6));
      for (let s = 1; s <= steps && clock < endMs; s++) {
        clock += rnd.int(15, 60) * 1000;
        const f = s / steps;
        const point = [leg[0][0] + (leg[1][0] - leg[0][0]) * f + rnd.between(-0.0002, 0.0002), leg[0][1] + (leg[1][1] - leg[0][1]) * f + rnd.between(-0.0002, 0.0002)];
        out.push({ atMs: clock, body: eventBody(rnd, driver, trip, "user.updated_trip", clock, point) });
      }
      if (clock >= endMs) return;
    }
    here = target;
    const geofence = geofenceOf(stop.site, stop.tag, rnd);
    clock += rnd.int(15, 45) * 1000;
    out.push({ atMs: clock, body: eventBody(rnd, driver, trip, "user.entered_geofence", clock, here, { geofence }) });
    const dwellMs = rnd.int(4, 12) * 60_000;
    const entered = clock;
    while (clock < entered + dwellMs && clock < endMs) {
      clock += rnd.int(15, 60) * 1000;
      out.push({ atMs: clock, body: eventBody(rnd, driver, trip, "user.updated_trip", clock, here) });
    }
    if (clock >= endMs) return;
    clock += rnd.int(15, 45) * 1000;
    out.push({ atMs: clock, body: eventBody(rnd, driver, trip, "user.exited_geofence", clock, here, { geofence, duration: Number(((clock - entered) / 60_000).toFixed(1)) }) });
  }
  clock += 30_000;
  if (clock < endMs) out.push({ atMs: clock, body: eventBody(rnd, driver, trip, "user.stopped_trip", clock, here) });
}

/** Replayed events arrive late (sent at the end, flagged); duplicates are re-deliveries of the same body. */
function addLateAndDuplicates(out, rnd, replayRate, duplicateRate, endMs) {
  const count = out.length;
  for (let i = 0; i < count; i++) {
    const item = out[i];
    if (rnd.next() < replayRate) {
      item.body.event.replayed = true;
      item.atMs = endMs + rnd.int(1, 60) * 1000;
      item.body.event.actualCreatedAt = new Date(item.atMs).toISOString();
    }
    if (rnd.next() < duplicateRate) out.push({ atMs: item.atMs + rnd.int(1, 30) * 1000, body: item.body, duplicate: true });
  }
}
