export const DEFAULT_FORWARD_EVENT_TYPES = "user.entered_geofence,user.exited_geofence";

let cached: { source: string; types: Set<string> } | undefined;

/** Event types routed to the Kinesis forwarder; parsed once per distinct var value. */
export function parseForwardTypes(value: string | undefined): Set<string> {
  const source = value?.trim() ? value : DEFAULT_FORWARD_EVENT_TYPES;
  if (cached?.source !== source) {
    cached = { source, types: new Set(source.split(",").map((t) => t.trim()).filter(Boolean)) };
  }
  return cached.types;
}
