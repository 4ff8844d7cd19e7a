/** Tolerant readers: whatever shape comes in, a typed value or null comes out, never a throw. */

export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

export function readString(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

export function readNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function readInteger(value: unknown): number | null {
  const n = readNumber(value);
  return n !== null && Number.isInteger(n) && Math.abs(n) <= 2 ** 31 - 1 ? n : null;
}

export function readBoolean(value: unknown): boolean | null {
  return typeof value === "boolean" ? value : null;
}

/** ISO-8601 text to epoch ms; anything unparseable is null. */
export function readTimestamp(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** GeoJSON `[lon, lat]` with both in range, else nulls. */
export function readPoint(value: unknown): { latitude: number | null; longitude: number | null } {
  const coordinates = asObject(value)?.coordinates;
  const lon = Array.isArray(coordinates) ? readNumber(coordinates[0]) : null;
  const lat = Array.isArray(coordinates) ? readNumber(coordinates[1]) : null;
  const valid = lon !== null && lat !== null && Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
  return valid ? { latitude: lat, longitude: lon } : { latitude: null, longitude: null };
}

export function toJsonText(value: unknown): string | null {
  if (asObject(value) === null) return null;
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}
