import type { LocationRecord } from "../../src/normalize";
import { buildEnvelopes } from "../../bench/lib/dataset.mjs";
import { normalizeEvent } from "../../src/normalize";
import type { IngestMessage } from "../../src/contract/ingest-message";

const HOUR = Date.parse("2026-03-05T12:00:00.000Z");
const INT64_EXTREME = Number.MAX_SAFE_INTEGER; // the largest INT64 a JS number holds exactly
const INT32_MAX = 2 ** 31 - 1;

/** Strings whose UTF-16 order differs from UTF-8 byte order, plus the awkward ones readers trip on. */
export const EDGE_STRINGS = [
  "ｚ-drv", "🚛-drv", "a-drv", "Ａ-drv", "é-drv", "中文-drv", "\uFFFD-drv", "nul\u0000drv", "\uD800-lone", "", "z-drv", "😀", "\uFFFF",
];

/** What a reader sees: TextEncoder stores a lone surrogate as U+FFFD. */
export const asStored = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

function base(i: number): LocationRecord {
  return {
    id: `edge-${String(i).padStart(3, "0")}`, created_at: HOUR + i, created_at_ms: HOUR + i, actual_created_at: null, received_at: HOUR + i,
    event_type: "user.updated_trip", live: null, replayed: false, source: "radar", user_id: null, external_user_id: null, device_id: null,
    mm_user_id: null, latitude: null, longitude: null, accuracy_m: null, confidence: null, trip_id: null, trip_external_id: null,
    trip_status: null, trip_created_at: null, trip_updated_at: null, trip_started_at: null, trip_mm_user_id: null, route_session_type: null,
    route_session_id: null, trip_metadata_json: null, geofence_id: null, geofence_external_id: null, geofence_tag: null,
    geofence_description: null, process_timestamp: HOUR, process_hour: HOUR,
  };
}

const EXTREMES: Partial<LocationRecord>[] = [
  { latitude: -0, longitude: 180, accuracy_m: 0, confidence: INT32_MAX, created_at_ms: INT64_EXTREME, live: true },
  { latitude: 90, longitude: -180, accuracy_m: 1e-300, confidence: -(2 ** 31), created_at_ms: -INT64_EXTREME, live: false },
  { latitude: -90, longitude: -0, accuracy_m: 1.7976931348623157e308, confidence: 0, created_at_ms: 0, trip_created_at: -2208988800000 },
  { latitude: 0, longitude: 0, accuracy_m: 5e-324, confidence: -1, trip_created_at: 253402300799999, actual_created_at: 0 },
];

/** Every edge string in every string column, 1–3 times each, with extreme numbers and nulls between. */
export function edgeRecords(): LocationRecord[] {
  const records: LocationRecord[] = [];
  EDGE_STRINGS.forEach((s, k) => {
    for (let copy = 0; copy <= k % 3; copy++) {
      const r = base(records.length);
      Object.assign(r, { user_id: s, device_id: s, trip_id: copy ? s : null, geofence_tag: s, trip_metadata_json: `{"note":${JSON.stringify(s)}}`, source: s || "radar" });
      Object.assign(r, EXTREMES[records.length % EXTREMES.length], { event_type: `type-${k}-${s}` });
      records.push(r);
    }
  });
  records.push(base(records.length)); // a row of nulls
  return records;
}

/** Bench-shaped rows (the fleet simulator), normalized as the consumer does. */
export function fleetRecords(rows: number): LocationRecord[] {
  return buildEnvelopes(rows).map((m: unknown) => normalizeEvent(m as IngestMessage, HOUR));
}
